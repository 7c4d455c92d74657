import NIOCore
import NIOHTTPTypes

/// Closes a connection that holds the server without getting anywhere, each `limit` after it
/// starts to (placed after the HTTP decoder, Hummingbird's `additionalChannelHandlers`):
/// - a request not received whole `limit` after its head: a body sent a byte now and then
///   would otherwise hold the connection for ever, since each byte restarts the idle timeout
///   and Hummingbird reads a body to its end before the next request. The companion's routes
///   take no body, so a real client sends the end with the head;
/// - answers waiting unsent for `limit` (the channel not writable: over its 64 KiB high-water
///   mark queued beyond the kernel's buffers): a client that pipelines whole requests and
///   never reads would otherwise hold it for ever, since an answer being written is never idle.
///   A client reading the page or an event stream never leaves that much for long.
final class HTTPDeadlines: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    /// Each deadline's length.
    let limit: TimeAmount
    private var request: Scheduled<Void>?
    private var write: Scheduled<Void>?

    /// Deadlines of `limit`.
    init(limit: TimeAmount) {
        self.limit = limit
    }

    private func closeAfterLimit(_ context: ChannelHandlerContext) -> Scheduled<Void> {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        return context.eventLoop.scheduleTask(in: limit) { bound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            request?.cancel()
            request = closeAfterLimit(context)
        case .end:
            request?.cancel()
            request = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            write?.cancel()
            write = nil
        } else if write == nil {
            write = closeAfterLimit(context)
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelBoth()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelBoth()
    }

    private func cancelBoth() {
        request?.cancel()
        write?.cancel()
        request = nil
        write = nil
    }
}
