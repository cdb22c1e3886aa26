internal import CCurl
import Foundation
import Synchronization

/// The state of one request while curl works on it: what arrived so far and who is waiting.
///
/// Confinement instead of locks: after ``TransferQueue/submit(_:)`` hands a transfer to the loop
/// thread, only that thread touches the mutable state below (curl calls the callbacks on it too).
/// The queue's lock orders the caller's writes before the loop's reads. The one exception,
/// ``cancelRequested``, is atomic because any thread may set it. Hence `@unchecked Sendable`.
final class Transfer: @unchecked Sendable {
    typealias ResponseWaiter = CheckedContinuation<Result<HTTPResponse, CurlHTTPError>, Never>
    typealias HeadWaiter = CheckedContinuation<Result<ResponseHead, CurlHTTPError>, Never>

    /// Status and headers, delivered to ``CurlClient/stream(_:)`` before the body.
    struct ResponseHead: Sendable {
        var status: Int
        var headers: HTTPHeaders
    }

    /// What curl reports about a transfer that completed without a transport error.
    struct Completion {
        var status: Int
        var totalTime: Duration
    }

    private enum Delivery {
        /// ``CurlClient/send(_:)``: the whole body is collected, then the waiter is resumed once.
        case buffered(ResponseWaiter?)
        /// ``CurlClient/stream(_:)``: the head goes to its waiter when the headers are complete
        /// (then `head` becomes nil), the body chunks go to the stream as they arrive.
        case streaming(head: HeadWaiter?, body: AsyncThrowingStream<Data, any Error>.Continuation)
        case finished
    }

    let request: HTTPRequest
    /// Set by ``TransferQueue/cancel(_:)`` from any thread; the loop checks it before starting
    /// the transfer, so a cancel that overtakes the submission still wins.
    let cancelRequested = Atomic<Bool>(false)

    // Loop-thread state.
    /// The easy handle while the transfer is in the multi handle; nil before and after.
    var handle: UnsafeMutableRawPointer?
    /// The request headers in curl's format; curl reads them until the transfer ends.
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// `CURLOPT_ERRORBUFFER`: curl writes a detailed message here when the transfer fails.
    let errorBuffer: UnsafeMutablePointer<CChar>
    private var delivery: Delivery
    private let bodyLimit: Int
    private var status = 0
    private var headers = HTTPHeaders()
    private var headersComplete = false
    private var body = Data()
    private(set) var bodyLimitExceeded = false

    /// A transfer whose body is collected in memory, up to `bodyLimit` bytes.
    init(request: HTTPRequest, bodyLimit: Int) {
        self.request = request
        self.bodyLimit = bodyLimit
        self.delivery = .buffered(nil)
        self.errorBuffer = Self.makeErrorBuffer()
    }

    /// A transfer whose body chunks are yielded to `body` as they arrive.
    init(request: HTTPRequest, streamingInto body: AsyncThrowingStream<Data, any Error>.Continuation) {
        self.request = request
        self.bodyLimit = .max
        self.delivery = .streaming(head: nil, body: body)
        self.errorBuffer = Self.makeErrorBuffer()
    }

    deinit {
        errorBuffer.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
    }

    private static func makeErrorBuffer() -> UnsafeMutablePointer<CChar> {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        buffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        return buffer
    }

    /// Registers the caller of ``CurlClient/send(_:)``; call before submitting.
    func expectResponse(_ waiter: ResponseWaiter) {
        guard case .buffered = delivery else { preconditionFailure("not a buffered transfer") }
        delivery = .buffered(waiter)
    }

    /// Registers the caller of ``CurlClient/stream(_:)``; call before submitting.
    func expectHead(_ waiter: HeadWaiter) {
        guard case .streaming(_, let body) = delivery else { preconditionFailure("not a streaming transfer") }
        delivery = .streaming(head: waiter, body: body)
    }

    /// curl's message for a failed transfer, without its trailing newline.
    var errorDetail: String {
        String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Data from curl (loop thread, inside curl callbacks)

    /// Takes one header line, including its CRLF. A status line starts a new header block, so
    /// the headers of a `100 Continue` are dropped; lines after the final block (trailers) are ignored.
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        guard !headersComplete else { return }
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\r\n"))
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
        } else if line.isEmpty {
            // 1xx responses are followed by the real one; any other status ends the headers.
            guard !(100..<200).contains(status) else { return }
            headersComplete = true
            deliverHeadIfWaiting()
        } else if let colon = line.firstIndex(of: ":") {
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.add(name: String(line[..<colon]), value: value)
        }
    }

    /// Takes a piece of the body. Returns false to make curl abort the transfer.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        switch delivery {
        case .buffered:
            guard body.count + bytes.count <= bodyLimit else {
                bodyLimitExceeded = true
                return false
            }
            body.append(bytes.assumingMemoryBound(to: UInt8.self))
        case .streaming(_, let stream):
            deliverHeadIfWaiting()
            stream.yield(Data(bytes))
        case .finished:
            return false
        }
        return true
    }

    private func deliverHeadIfWaiting() {
        guard case .streaming(let head?, let body) = delivery else { return }
        delivery = .streaming(head: nil, body: body)
        head.resume(returning: .success(ResponseHead(status: status, headers: headers)))
    }

    // MARK: Completion (loop thread, after the handle left the multi handle and was reset)

    /// Resumes whoever waits, exactly once; later calls do nothing.
    func complete(_ outcome: Result<Completion, CurlHTTPError>) {
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
        let delivery = self.delivery
        self.delivery = .finished
        switch (delivery, outcome) {
        case (.buffered(let waiter), _):
            waiter?.resume(
                returning: outcome.map { completion in
                    HTTPResponse(status: completion.status, headers: headers, body: body, totalTime: completion.totalTime)
                })
        case (.streaming(let head, let stream), .success(let completion)):
            head?.resume(returning: .success(ResponseHead(status: status == 0 ? completion.status : status, headers: headers)))
            stream.finish()
        case (.streaming(let head, let stream), .failure(let error)):
            head?.resume(returning: .failure(error))
            stream.finish(throwing: error)
        case (.finished, _):
            break
        }
    }
}
