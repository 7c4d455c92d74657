import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small, bounded element tree read with Foundation's `XMLParser` (namespaces processed;
/// external entities never resolved; documents with a DOCTYPE refused). Internal.
struct FeedXMLElement: Sendable {
    var namespace: String
    var name: String
    var attributes: [String: String]
    var text: String
    var children: [FeedXMLElement]

    /// The children named `name` in `namespace` (any namespace when `nil`).
    func children(_ name: String, in namespace: String? = nil) -> [FeedXMLElement] {
        children.filter { $0.name == name && (namespace == nil || $0.namespace == namespace) }
    }

    /// The first child named `name` in `namespace`.
    func child(_ name: String, in namespace: String? = nil) -> FeedXMLElement? {
        children.first { $0.name == name && (namespace == nil || $0.namespace == namespace) }
    }

    /// The trimmed text of the first child named `name`, if any.
    func childText(_ name: String, in namespace: String? = nil) -> String? {
        child(name, in: namespace).map { $0.text.trimmingWhitespaceAndNewlines() }
    }

    struct Limits {
        var maximumBytes: Int
        var maximumElements: Int
        var maximumDepth: Int
        var maximumTextLength: Int
    }

    /// Parses `data` into a tree.
    static func parse(_ data: Data, limits: Limits, document: FeedDocument) throws(FeedFault) -> FeedXMLElement {
        guard data.count <= limits.maximumBytes else {
            throw FeedFault(.tooLarge, document, "\(data.count) bytes, more than the \(limits.maximumBytes) accepted")
        }
        guard !data.isEmpty else { throw FeedFault(.notText, document, "the document is empty") }
        if data.contains(0) { throw FeedFault(.notText, document, "the document contains NUL bytes (binary)") }
        let head = data.prefix(4096)
        if head.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil {
            throw FeedFault(.malformed, document, "document type declarations and entities are not accepted")
        }
        let builder = Builder(limits: limits)
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let ok = parser.parse()
        if let limit = builder.limitHit {
            throw FeedFault(.malformed, document, line: builder.limitLine, limit)
        }
        guard ok, let root = builder.root else {
            let line = parser.lineNumber > 0 ? parser.lineNumber : nil
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "not well-formed XML"
            throw FeedFault(.malformed, document, line: line, "not well-formed XML (\(reason.prefix(120)))")
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        let limits: Limits
        var stack: [FeedXMLElement] = []
        var root: FeedXMLElement?
        var count = 0
        var limitHit: String?
        var limitLine: Int?

        init(limits: Limits) { self.limits = limits }

        func stop(_ parser: XMLParser, _ why: String) {
            if limitHit == nil {
                limitHit = why
                limitLine = parser.lineNumber
            }
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            count += 1
            guard count <= limits.maximumElements else { return stop(parser, "more than \(limits.maximumElements) elements") }
            guard stack.count < limits.maximumDepth else { return stop(parser, "nested deeper than \(limits.maximumDepth)") }
            stack.append(FeedXMLElement(namespace: namespaceURI ?? "", name: elementName, attributes: attributeDict, text: "", children: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            guard stack[stack.count - 1].text.utf8.count + string.utf8.count <= limits.maximumTextLength else {
                return stop(parser, "a text longer than \(limits.maximumTextLength) bytes")
            }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard let done = stack.popLast() else { return }
            if stack.isEmpty { root = done } else { stack[stack.count - 1].children.append(done) }
        }
    }
}

extension String {
    /// The string without leading/trailing whitespace, newlines and ideographic spaces.
    func trimmingWhitespaceAndNewlines() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0.isNewline }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
