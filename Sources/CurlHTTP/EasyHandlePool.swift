internal import CCurl

/// Idle easy handles kept for reuse, so a busy client does not allocate one per request.
///
/// Connections are not tied to easy handles (they live in the multi handle's connection
/// cache), so a pool this small is enough for hundreds of transfers in flight. Loop thread only.
struct EasyHandlePool {
    private var idle: [UnsafeMutableRawPointer] = []
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    mutating func acquire() -> UnsafeMutableRawPointer? {
        idle.popLast() ?? curl_easy_init()
    }

    /// Returns a handle that is no longer in the multi handle. Resetting drops every option,
    /// including the pointers into the finished transfer.
    mutating func recycle(_ handle: UnsafeMutableRawPointer) {
        guard idle.count < capacity else {
            curl_easy_cleanup(handle)
            return
        }
        curl_easy_reset(handle)
        idle.append(handle)
    }

    mutating func drain() {
        idle.forEach { curl_easy_cleanup($0) }
        idle.removeAll()
    }
}
