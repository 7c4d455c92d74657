import Hummingbird

/// Keeps the companion's server read-only and its error answers plain (RFC 9110 §15.5.5,
/// §15.5.6): a method other than GET or HEAD gets 405 with `Allow: GET, HEAD`, and a path
/// that does not exist gets 404 as `text/plain`, not Hummingbird's empty answer. HEAD on a
/// page is answered by the router (`autoGenerateHeadEndpoints`): the GET's headers, no body.
struct ReadOnlyMethodsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            return plainTextResponse(.methodNotAllowed, "only GET and HEAD are served\n", request: request, extra: [.allow: "GET, HEAD"])
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return plainTextResponse(.notFound, "not found\n", request: request)
        }
    }
}

/// A short `text/plain` answer to `request` (headers only for HEAD).
func plainTextResponse(_ status: HTTPResponse.Status, _ text: String, request: Request, extra: HTTPFields = [:]) -> Response {
    var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .init("X-Content-Type-Options")!: "nosniff"]
    headers.append(contentsOf: extra)
    let response = Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    return request.method == .head ? response.createHeadResponse() : response
}
