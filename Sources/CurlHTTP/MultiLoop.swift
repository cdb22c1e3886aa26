internal import CCurl
import Foundation
import Synchronization

/// The body of the client's thread: drives every transfer on one curl multi handle.
///
/// Each turn takes queued starts and cancels, lets curl do whatever I/O is ready
/// (`curl_multi_perform`), completes finished transfers, then sleeps in `curl_multi_poll` until a
/// socket is ready, a timer is due, a caller calls `curl_multi_wakeup`, or a second passes.
/// Because nothing here blocks on a single transfer, hundreds of requests are in flight at once.
final class MultiLoop {
    /// Upper bound on one poll; wakeups usually end it much sooner.
    private static let pollTimeoutMilliseconds: Int32 = 1000

    private let queue: TransferQueue
    private let multi: UnsafeMutableRawPointer
    private let configuration: CurlClient.Configuration
    private var pool: EasyHandlePool
    /// Owns every transfer in the multi handle; curl's callbacks hold only unretained pointers.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]

    init(queue: TransferQueue, configuration: CurlClient.Configuration) {
        self.queue = queue
        self.multi = queue.multi
        self.configuration = configuration
        self.pool = EasyHandlePool(capacity: configuration.easyHandlePoolSize)
    }

    func run() {
        var running: Int32 = 0
        while true {
            let work = queue.take()
            if work.stopping {
                work.starts.forEach { $0.complete(.failure(.clientShutDown)) }
                break
            }
            // Starts before cancels: a cancel queued in the same turn then finds its transfer.
            work.starts.forEach(start)
            work.cancels.forEach(cancel)
            _ = curl_multi_perform(multi, &running)
            completeFinishedTransfers()
            if curl_multi_poll(multi, nil, 0, Self.pollTimeoutMilliseconds, nil) != CURLM_OK {
                usleep(1000)  // Out of memory or similar: do not spin.
            }
        }
        tearDown()
    }

    private func start(_ transfer: Transfer) {
        if transfer.cancelRequested.load(ordering: .acquiring) {
            transfer.complete(.failure(.cancelled))
            return
        }
        guard let handle = pool.acquire() else {
            transfer.complete(.failure(.transport(code: Int(CURLE_FAILED_INIT.rawValue), message: "curl_easy_init failed")))
            return
        }
        do {
            try transfer.configure(handle, with: configuration)
        } catch {
            pool.recycle(handle)
            transfer.complete(.failure(error))
            return
        }
        let code = curl_multi_add_handle(multi, handle)
        guard code == CURLM_OK else {
            pool.recycle(handle)
            transfer.complete(.failure(.transport(code: Int(code.rawValue), message: String(cString: curl_multi_strerror(code)))))
            return
        }
        transfer.handle = handle
        active[handle] = transfer
    }

    private func cancel(_ transfer: Transfer) {
        guard let handle = transfer.handle, active[handle] === transfer else { return }  // Already done.
        finish(handle, with: .failure(.cancelled))
    }

    private func completeFinishedTransfers() {
        var handle: UnsafeMutableRawPointer?
        var code = CURLE_OK
        while ccurl_multi_next_done(multi, &handle, &code) == 1 {
            guard let handle, let transfer = active[handle] else { continue }
            finish(handle, with: outcome(of: transfer, handle: handle, code: code))
        }
    }

    private func outcome(
        of transfer: Transfer, handle: UnsafeMutableRawPointer, code: CURLcode
    ) -> Result<Transfer.Completion, CurlHTTPError> {
        guard code == CURLE_OK else {
            if code == CURLE_WRITE_ERROR, transfer.bodyLimitExceeded {
                return .failure(.responseTooLarge(limit: configuration.maximumResponseBodySize))
            }
            return .failure(.from(code: code, detail: transfer.errorDetail, url: transfer.request.url))
        }
        var status = 0
        var microseconds: curl_off_t = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        _ = ccurl_getinfo_off_t(handle, CURLINFO_TOTAL_TIME_T, &microseconds)
        return .success(Transfer.Completion(status: status, totalTime: .microseconds(microseconds)))
    }

    /// Takes the handle out of the multi handle and resets it before resuming the waiter, so
    /// curl holds no pointer into the transfer once it may be freed.
    private func finish(_ handle: UnsafeMutableRawPointer, with outcome: Result<Transfer.Completion, CurlHTTPError>) {
        guard let transfer = active.removeValue(forKey: handle) else { return }
        curl_multi_remove_handle(multi, handle)
        transfer.handle = nil
        pool.recycle(handle)
        transfer.complete(outcome)
    }

    private func tearDown() {
        for handle in Array(active.keys) {
            finish(handle, with: .failure(.clientShutDown))
        }
        pool.drain()
        curl_multi_cleanup(multi)
        queue.markStopped()
    }
}
