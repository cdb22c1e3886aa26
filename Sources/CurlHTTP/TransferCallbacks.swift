internal import CCurl

/// The C callbacks curl calls with data for a transfer.
///
/// They must be plain C function pointers that capture nothing, so the transfer travels as the
/// `userdata` pointer (`CURLOPT_WRITEDATA`, `CURLOPT_HEADERDATA`). That pointer is unretained:
/// the loop's table of active transfers owns each transfer until its handle has left the multi
/// handle and been reset, after which curl no longer calls back with it.
enum TransferCallbacks {
    /// `CURLOPT_WRITEFUNCTION`. Returning anything other than the byte count aborts the transfer
    /// with `CURLE_WRITE_ERROR`.
    static func write(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
        guard let context else { return 0 }
        let length = size * count
        let bytes = UnsafeRawBufferPointer(start: data.map(UnsafeRawPointer.init), count: length)
        return transfer(context).receiveBody(bytes) ? length : 0
    }

    /// `CURLOPT_HEADERFUNCTION`: called once per header line, status line and final blank line.
    static func header(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
        guard let context else { return 0 }
        let length = size * count
        transfer(context).receiveHeaderLine(UnsafeRawBufferPointer(start: data.map(UnsafeRawPointer.init), count: length))
        return length
    }

    private static func transfer(_ context: UnsafeMutableRawPointer) -> Transfer {
        Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    }
}
