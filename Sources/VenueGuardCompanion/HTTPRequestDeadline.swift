import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request has not been wholly received `limit` after its head:
/// a body sent a byte now and then (a slow-drip attack) would otherwise hold the connection for
/// ever, since each byte restarts the idle timeout and Hummingbird reads a request's body to its
/// end before the next request. The companion's routes take no body, so a real client sends the
/// end with the head and never comes near the limit. Placed after the HTTP decoder
/// (Hummingbird's `additionalChannelHandlers`), it sees the parts as they are decoded.
final class HTTPRequestDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    /// From a request's head to its end, at most.
    let limit: TimeAmount
    private var deadline: Scheduled<Void>?

    /// A deadline of `limit` per request.
    init(limit: TimeAmount) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(in: limit) { bound.value.close(promise: nil) }
        case .end:
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}
