/// The frame's fixed rows: two header lines at the top, a status line and the key bar at the bottom.
///
/// ```
/// 0        title · who · connection · clock
/// 1        counts (queue) or the call's headline (call screen)
/// 2…h-3    content (the queue has its column titles on row 2)
/// h-2      status: messages, "working…", connection trouble
/// h-1      key bar
/// ```
enum Layout {
    static let minimumWidth = 40
    static let minimumHeight = 8

    /// Rows between the header and the status line.
    static func contentRows(height: Int) -> Int { max(1, height - 4) }

    /// Queue rows: the content less the column titles.
    static func queueRows(height: Int) -> Int { max(1, height - 5) }

    /// Wide terminals get two columns on the call screen and more queue columns.
    static func isWide(_ width: Int) -> Bool { width >= 120 }
}
