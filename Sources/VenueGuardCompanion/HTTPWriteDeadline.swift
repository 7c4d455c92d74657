import NIOCore
import NIOHTTPTypes

/// Closes a connection whose answers have waited unsent for `limit`: a client that sends
/// requests (pipelined, whole) but never reads the answers would otherwise hold its connection
/// for ever, since the request deadline has ended and an answer being written is never idle.
/// "Waiting" is the channel not writable: more than its high-water mark (64 KiB) of answer is
/// queued, which a client reading the page or an event stream never leaves for long.
final class HTTPWriteDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    /// How long answers may wait unsent.
    let limit: TimeAmount
    private var deadline: Scheduled<Void>?

    /// A deadline of `limit` on answers waiting.
    init(limit: TimeAmount) {
        self.limit = limit
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            deadline?.cancel()
            deadline = nil
        } else if deadline == nil {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(in: limit) { bound.value.close(promise: nil) }
        }
        context.fireChannelWritabilityChanged()
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
