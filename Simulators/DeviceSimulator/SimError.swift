/// A failure reported to the user as one plain sentence (ArgumentParser prints it after "Error: ").
struct SimError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
