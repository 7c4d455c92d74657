import Foundation
import Testing
@testable import VenueGuardCompanion
import VenueGuardTestSupport

/// The companion's server over loopback with Python's `http.client` as the client: it is
/// read-only (GET and HEAD), says so with 405 and `Allow`, and every error answer is plain text.
@Suite(.timeLimit(.minutes(2)))
struct HTTPMethodsTests {
    /// One request's answer.
    struct Answer: Decodable {
        var method: String
        var path: String
        var status: Int
        var type: String?
        var allow: String?
        var length: Int
    }

    /// A Python client script run as its own process, its standard output (and, if asked, its
    /// errors) in a file; it is polled, never waited on, so no test thread is blocked.
    struct PythonClient {
        let process = Process()
        /// The output file.
        let output: String
        /// Its standard input, when asked for: closing it tells the script to end.
        let input: Pipe?

        /// Starts `python3 -c script arguments…`, writing to `output`.
        init(_ script: String, _ arguments: [String], output: String, errorsToo: Bool = false, withInput: Bool = false) throws {
            self.output = output
            input = withInput ? Pipe() : nil
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script] + arguments
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            if errorsToo { process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: output)) }
            if let input { process.standardInput = input }
            try process.run()
        }

        /// What it has written so far.
        var text: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

        /// Waits until it has ended or `deadline` has passed, then ends it if it still runs.
        func finish(by deadline: ContinuousClock.Instant) async {
            _ = await waitUntil(limit: max(.zero, deadline - .now)) { !process.isRunning }
            if process.isRunning { process.terminate() }
        }

        /// Whether it ended by itself with status 0.
        var succeeded: Bool { !process.isRunning && process.terminationReason == .exit && process.terminationStatus == 0 }
    }

    /// Sends each (method, path) to 127.0.0.1:`port` on its own connection; polls, never blocks a test thread.
    static func ask(port: Int, _ requests: [(String, String)], folder: String) async throws -> [Answer] {
        let script = """
        import http.client, json, sys
        for method, path in json.loads(sys.argv[2]):
            c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
            c.request(method, path)
            r = c.getresponse()
            body = r.read()
            print(json.dumps({"method": method, "path": path, "status": r.status, "type": r.getheader("Content-Type"),
                              "allow": r.getheader("Allow"), "length": len(body)}))
            c.close()
        """
        let list = String(decoding: try JSONSerialization.data(withJSONObject: requests.map { [$0.0, $0.1] }), as: UTF8.self)
        let client = try PythonClient(script, [String(port), list], output: folder + "/answers.jsonl")
        await client.finish(by: .now + .seconds(60))
        #expect(client.succeeded, "the client failed")
        return try client.text.split(separator: "\n").map { try JSONDecoder().decode(Answer.self, from: Data($0.utf8)) }
    }

    @Test("HEAD answers like GET without a body; other methods get 405 with Allow; unknown paths and bad queries get plain-text errors; HEAD never opens an event stream")
    func methods() async throws {
        let served = try await PageBrowserTests.serve(language: "en")
        _ = try PageBrowserTests.state("state", folder: served.folder, yard: 26)  // the state file the page reads
        var requests: [(String, String)] = [("GET", "/"), ("HEAD", "/"), ("HEAD", "/metrics"), ("HEAD", "/page.css"),
                                            ("HEAD", "/events"), ("POST", "/"), ("PUT", "/metrics"), ("DELETE", "/records"),
                                            ("OPTIONS", "/"), ("POST", "/nowhere"), ("GET", "/nowhere"), ("HEAD", "/nowhere"),
                                            ("GET", "/legend?size=b5"), ("GET", "/records/hall/2026-01-01.csv")]
        // More HEADs on the event stream than it has places: none is taken.
        requests += Array(repeating: ("HEAD", "/events"), count: 40)
        let answers: [Answer]
        do {
            answers = try await Self.ask(port: served.port, requests, folder: served.folder)
        } catch {
            await served.stop()
            throw error
        }
        let streamsAfter = await served.page.openStreams
        await served.stop()
        try #require(answers.count == requests.count)
        func answer(_ method: String, _ path: String) -> Answer? { answers.first { $0.method == method && $0.path == path } }
        let get = try #require(answer("GET", "/"))
        #expect(get.status == 200 && get.length > 1000)
        let head = try #require(answer("HEAD", "/"))
        #expect(head.status == 200 && head.length == 0 && head.type == get.type)
        #expect(answer("HEAD", "/metrics")?.status == 200)
        #expect(answer("HEAD", "/metrics")?.type?.hasPrefix("text/plain") == true)
        #expect(answer("HEAD", "/page.css")?.type?.hasPrefix("text/css") == true)
        #expect(answers.filter { $0.method == "HEAD" && $0.path == "/events" }.allSatisfy { $0.status == 200 && $0.type?.hasPrefix("text/event-stream") == true })
        for (method, path) in [("POST", "/"), ("PUT", "/metrics"), ("DELETE", "/records"), ("OPTIONS", "/"), ("POST", "/nowhere")] {
            let refused = try #require(answer(method, path))
            #expect(refused.status == 405 && refused.allow == "GET, HEAD" && refused.type?.hasPrefix("text/plain") == true, "\(refused)")
        }
        for (method, path, status) in [("GET", "/nowhere", 404), ("HEAD", "/nowhere", 404), ("GET", "/legend?size=b5", 400),
                                       ("GET", "/records/hall/2026-01-01.csv", 404)] {
            let error = try #require(answer(method, path))
            #expect(error.status == status && error.type?.hasPrefix("text/plain") == true, "\(error)")
            #expect((method == "HEAD") == (error.length == 0), "\(error)")
        }
        // After 40 HEADs every place on the event stream is still free.
        #expect(streamsAfter == 0)
    }

    @Test("An event stream's place is given back exactly once: when its stream ends, or when its body never runs; 40 clients that vanish at once leave no place taken")
    func streamPlacesComeBack() async throws {
        let served = try await PageBrowserTests.serve(language: "en")
        _ = try PageBrowserTests.state("state", folder: served.folder, yard: 26)
        // A slot whose response is dropped unwritten (its deinit), and one released and then dropped.
        #expect(await served.page.openStream())
        #expect(await served.page.openStream())
        do {
            _ = CompanionHTTPServer.StreamSlot(served.page)
            let released = CompanionHTTPServer.StreamSlot(served.page)
            released.release()
        }
        // 40 clients ask for the stream and reset their connection at once.
        let vanish = """
        import socket, struct, sys
        sent = 0
        for _ in range(40):
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
            try:
                s.sendall(b"GET /events HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
                sent += 1
            except OSError as error:  # the server may already have answered and closed
                print(error, file=sys.stderr)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        print(sent)
        """
        let client = try PythonClient(vanish, [String(served.port)], output: served.folder + "/vanish.out", errorsToo: true)
        let deadline = ContinuousClock.now + .seconds(30)
        await client.finish(by: deadline)
        // Each server-side stream notices at its next write (the 5 s ping at the latest).
        _ = await waitUntil(limit: max(.zero, deadline - .now), every: .milliseconds(100)) { await served.page.openStreams == 0 }
        let open = await served.page.openStreams
        await served.stop()
        #expect(client.succeeded, "\(client.text)")
        #expect(open == 0, "\(open) event-stream places still taken")
    }

    @Test("A connection with half a request or a quiet kept-alive one is closed after the idle timeout; an event stream is not")
    func idleConnectionsClosed() async throws {
        let served = try await PageBrowserTests.serve(language: "en", idleTimeout: .seconds(1))
        _ = try PageBrowserTests.state("state", folder: served.folder, yard: 26)
        let script = """
        import json, socket, sys, time
        port = int(sys.argv[1])
        def closed_after(payload, limit):
            s = socket.create_connection(("127.0.0.1", port), timeout=limit)
            t0 = time.monotonic()
            s.sendall(payload)
            try:
                while s.recv(65536):
                    pass
                return time.monotonic() - t0
            except socket.timeout:
                return None
            finally:
                s.close()
        half = closed_after(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n", 10)
        kept = closed_after(b"GET /legend-a4.css HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n", 10)
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.sendall(b"GET /events?lang=en HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
        # Data after 2 s (a ping, or a part that changed) shows the stream outlived the 1 s timeout.
        got, t0, open_, late = b"", time.monotonic(), True, False
        while time.monotonic() - t0 < 7 and not late:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                open_ = False
                break
            got += chunk
            late = time.monotonic() - t0 >= 2
        print(json.dumps({"half": half, "kept": kept, "stream_late_data": late, "stream_open": open_,
                          "stream_seconds": time.monotonic() - t0}))
        """
        let client = try PythonClient(script, [String(served.port)], output: served.folder + "/idle.out")
        await client.finish(by: .now + .seconds(60))
        await served.stop()
        let text = client.text
        let result = try #require(try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
        let half = result["half"] as? Double, kept = result["kept"] as? Double
        #expect(half.map { $0 >= 0.9 && $0 < 8 } == true, "half a request closed after \(String(describing: half)) s (1 s idle timeout)")
        #expect(kept.map { $0 >= 0.9 && $0 < 8 } == true, "a quiet kept-alive connection closed after \(String(describing: kept)) s")
        #expect(result["stream_late_data"] as? Bool == true && result["stream_open"] as? Bool == true,
                "the event stream was cut, or sent nothing (not even its 5 s ping) after 2 s: \(result)")
    }

    @Test("Stopped with 64 connections just accepted, three times: the server stops gracefully and in time, never traps")
    func stopWithConnectionsWaiting() async throws {
        // Cancelling a Hummingbird server while accepted connections wait to be served traps in
        // swift-nio (apple/swift-nio#3481: a burst of 64 connections and a cancel did so every
        // time there); the companion stops its server gracefully instead.
        let burst = """
        import socket, sys
        held = []
        for _ in range(64):
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
            s.sendall(b"GET /legend-a4.css HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
            held.append(s)
        print(len(held), flush=True)
        sys.stdin.read()
        """
        // The limit is raised for the test: a loaded machine (the whole suite on two cores) can
        // make a graceful stop slow, and what is checked is that it is graceful, not how fast.
        // The idle timeout is longer still, so a connection the stop missed cannot be closed by it.
        let limit = Duration.seconds(60)
        for round in 1...3 {
            let served = try await PageBrowserTests.serve(language: "en", idleTimeout: .seconds(120), shutdownLimit: limit)
            let client = try PythonClient(burst, [String(served.port)], output: served.folder + "/burst.out", withInput: true)
            let deadline = ContinuousClock.now + .seconds(20)
            _ = await waitUntil(limit: .seconds(20), every: .milliseconds(5)) { client.text.contains("64") }
            let began = ContinuousClock.now
            await served.stop()
            let took = ContinuousClock.now - began
            try? client.input?.fileHandleForWriting.close()
            await client.finish(by: deadline + .seconds(10))
            #expect(client.text.contains("64"), "round \(round): the burst did not connect")
            // A graceful stop, not the cancel that follows the limit (which can trap).
            #expect(served.stopOutcome.outcome.withLock { $0 } == .graceful, "round \(round): the stop took \(took)")
            #expect(took < limit, "round \(round): the stop took \(took)")
        }
    }

    @Test("A stop that is not done at its limit (an event stream kept open) cancels the server and says so")
    func stopCancelledAtLimit() async throws {
        let served = try await PageBrowserTests.serve(language: "en", shutdownLimit: .seconds(1))
        let hold = """
        import socket, sys
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
        s.sendall(b"GET /events HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
        try:
            while s.recv(65536):
                pass
            print("closed", flush=True)
        except socket.timeout:
            print("still open", flush=True)
        """
        let client = try PythonClient(hold, [String(served.port)], output: served.folder + "/hold.out")
        let deadline = ContinuousClock.now + .seconds(30)
        _ = await waitUntil(limit: .seconds(30)) { await served.page.openStreams > 0 }
        #expect(await served.page.openStreams == 1, "the stream did not open")
        // The server alone is stopped: the page goes on, so its stream does not end by itself.
        let began = ContinuousClock.now
        served.serving.cancel()
        _ = await served.serving.result
        let took = ContinuousClock.now - began
        #expect(served.stopOutcome.outcome.withLock { $0 } == .cancelledAtLimit, "took \(took)")
        #expect(took >= .seconds(1), "stopped after \(took), before the 1 s limit")
        await client.finish(by: deadline)
        #expect(client.text == "closed\n", "the client's stream was not closed: \(client.text)")
        await served.stop()
    }

    @Test("A flood of idle connections: at most the limit are held at once, the rest wait their turn in the listen queue and are all served; /metrics counts them")
    func connectionFloodBounded() async throws {
        // 40 connections that send nothing against a limit of 8 and a 1 s idle timeout: each is
        // accepted in its turn and closed by the timeout, never more than 8 held at once.
        let served = try await PageBrowserTests.serve(language: "en", idleTimeout: .seconds(1), maximumConnections: 8)
        let flood = """
        import select, socket, sys, time
        port, n = int(sys.argv[1]), int(sys.argv[2])
        waiting = {socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(n)}
        t0 = time.monotonic()
        while waiting and time.monotonic() - t0 < 60:
            ready, _, _ = select.select(list(waiting), [], [], 0.5)
            for s in ready:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    waiting.discard(s)
                    s.close()
        print(n - len(waiting), flush=True)
        """
        let client = try PythonClient(flood, [String(served.port), "40"], output: served.folder + "/flood.out")
        await client.finish(by: .now + .seconds(90))
        #expect(client.text == "40\n", "connections closed by the server: \(client.text)")
        // The limit is checked before each accepting read, and one read accepts up to 4
        // connections (swift-nio's maxMessagesPerRead for a server socket): at most 3 over.
        #expect((8...11).contains(served.connections.peak), "the most held at once: \(served.connections.peak)")
        let answers = try await Self.ask(port: served.port, [("GET", "/metrics")], folder: served.folder)
        #expect(answers.first?.status == 200)
        await served.stop()
        let text = await CompanionHTTPServer(configuration: .init(listen: "127.0.0.1", port: 0), daemonStateFile: "/nonexistent",
                                             companion: nil, logger: .init(label: "test")).metricsText()
        #expect(text.contains("venueguard_companion_http_connections_maximum 256.0"), "\(text)")
    }

    @Test("A request body dripped a byte at a time (declared length or chunked) is cut off at the request deadline, though each byte restarts the idle timeout")
    func drippedBodyCutOff() async throws {
        let served = try await PageBrowserTests.serve(language: "en", idleTimeout: .seconds(1))
        let drip = """
        import json, socket, sys, time
        port = int(sys.argv[1])
        def cut_after(head, piece):
            s = socket.create_connection(("127.0.0.1", port), timeout=0.3)
            s.sendall(head)
            t0 = time.monotonic()
            while time.monotonic() - t0 < 15:
                try:
                    s.sendall(piece)
                    if s.recv(65536) == b"":
                        return time.monotonic() - t0
                except socket.timeout:
                    continue
                except OSError:
                    return time.monotonic() - t0
            return None
        length = cut_after(b"GET /metrics HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1000000000\\r\\n\\r\\n", b"x")
        chunked = cut_after(b"GET /metrics HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n", b"1\\r\\nx\\r\\n")
        print(json.dumps({"length": length, "chunked": chunked}))
        """
        let client = try PythonClient(drip, [String(served.port)], output: served.folder + "/drip.out")
        await client.finish(by: .now + .seconds(60))
        await served.stop()
        let result = try #require(try? JSONSerialization.jsonObject(with: Data(client.text.utf8)) as? [String: Any], "\(client.text)")
        for key in ["length", "chunked"] {
            let cut = result[key] as? Double
            #expect(cut.map { $0 >= 0.9 && $0 < 8 } == true, "\(key): cut after \(String(describing: cut)) s (1 s deadline)")
        }
    }

    @Test("A client that sends pipelined requests and never reads the answers is cut off once the answers have waited unsent for the deadline")
    func unreadAnswersCutOff() async throws {
        let served = try await PageBrowserTests.serve(language: "en", idleTimeout: .seconds(1))
        _ = try PageBrowserTests.state("state", folder: served.folder, yard: 26)
        let unread = """
        import socket, sys
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", int(sys.argv[1])))
        s.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" * 3000)
        print("sent", flush=True)
        sys.stdin.read()
        """
        let client = try PythonClient(unread, [String(served.port)], output: served.folder + "/unread.out", withInput: true)
        let deadline = ContinuousClock.now + .seconds(30)
        _ = await waitUntil(limit: .seconds(30)) { client.text.contains("sent") }
        #expect(client.text.contains("sent"), "the client could not send its requests")
        // Never read, the answers (3,000 pages, far more than the kernel's 4 MiB of socket
        // buffers) back up into the server; it must close the connection itself.
        _ = await waitUntil(limit: max(.zero, deadline - .now)) { served.connections.peak > 0 && served.connections.open == 0 }
        #expect(served.connections.peak >= 1 && served.connections.open == 0,
                "open \(served.connections.open), peak \(served.connections.peak): the unread connection was not closed")
        try? client.input?.fileHandleForWriting.close()
        await client.finish(by: .now + .seconds(10))
        await served.stop()
    }
}
