package import GRDB
import Synchronization

/// Facts one store states, and questions it asks, inside its own transaction for another store to
/// act on or answer in the same transaction, without either importing the other.
///
/// A device's vitals arrive with an alarm: the intake publishes them and the health archive,
/// subscribed at start, writes them as Observations before the alarm's transaction commits, so an
/// acknowledged reading is never missing from the archive. Messages and questions are plain values
/// of CareModel, keyed by their type; a store subscribes to a type once, when it is made.
package final class TransactionBus: Sendable {
    private let handlers = Mutex<[ObjectIdentifier: any Sendable]>([:])

    package init() {}

    /// Calls `handler` with every `Message` published from now on, inside the publisher's
    /// transaction; what it throws rolls that transaction back.
    package func subscribe<Message: Sendable>(
        _ type: Message.Type, _ handler: @escaping @Sendable (Database, Message) throws -> Void
    ) {
        handlers.withLock { table in
            let previous = table[ObjectIdentifier(type)] as? [@Sendable (Database, Message) throws -> Void] ?? []
            table[ObjectIdentifier(type)] = previous + [handler]
        }
    }

    /// Hands `message` to every subscriber of its type, in the caller's transaction.
    package func publish<Message: Sendable>(_ db: Database, _ message: Message) throws {
        let subscribers = handlers.withLock { $0[ObjectIdentifier(Message.self)] } as? [@Sendable (Database, Message) throws -> Void]
        for handler in subscribers ?? [] { try handler(db, message) }
    }

    /// Makes `answer` the one answer to questions of type `Question`.
    package func answer<Question: Sendable, Answer: Sendable>(
        _ type: Question.Type, with answer: @escaping @Sendable (Database, Question) throws -> Answer
    ) {
        handlers.withLock { $0[ObjectIdentifier(type)] = answer }
    }

    /// The answer to `question` read in the caller's transaction, or nil when no store answers it
    /// (a process that opened the file without that store).
    package func ask<Question: Sendable, Answer: Sendable>(_ db: Database, _ question: Question, as: Answer.Type) throws -> Answer? {
        let answer = handlers.withLock { $0[ObjectIdentifier(Question.self)] } as? @Sendable (Database, Question) throws -> Answer
        return try answer?(db, question)
    }
}
