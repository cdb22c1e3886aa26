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
        subscribe(type, prepare: { _ in () }, handle: { db, message, _ in try handler(db, message) })
    }

    /// The same, with the work that needs no database done first by `prepare`, outside the
    /// transaction and on the publisher's thread of choice (``prepare(_:)``), so a writer
    /// that serves everyone spends only the insert on it. Without a prepared value, `publish`
    /// prepares inline.
    package func subscribe<Message: Sendable, Prepared: Sendable>(
        _ type: Message.Type, prepare: @escaping @Sendable (Message) -> Prepared,
        handle: @escaping @Sendable (Database, Message, Prepared) throws -> Void
    ) {
        let subscriber = Subscriber<Message>(
            prepare: { prepare($0) },
            handle: { db, message, prepared in
                try handle(db, message, (prepared as? Prepared) ?? prepare(message))
            })
        handlers.withLock { table in
            let previous = table[ObjectIdentifier(type)] as? [Subscriber<Message>] ?? []
            table[ObjectIdentifier(type)] = previous + [subscriber]
        }
    }

    /// What every subscriber of `message`'s type prepares, to pass to ``publish(_:_:prepared:)``.
    package func prepare<Message: Sendable>(_ message: Message) -> PreparedMessage {
        PreparedMessage(values: subscribers(of: Message.self).map { $0.prepare(message) })
    }

    /// Hands `message` to every subscriber of its type, in the caller's transaction.
    package func publish<Message: Sendable>(_ db: Database, _ message: Message, prepared: PreparedMessage? = nil) throws {
        for (index, subscriber) in subscribers(of: Message.self).enumerated() {
            let value = prepared.flatMap { index < $0.values.count ? $0.values[index] : nil }
            try subscriber.handle(db, message, value)
        }
    }

    private func subscribers<Message: Sendable>(of type: Message.Type) -> [Subscriber<Message>] {
        handlers.withLock { $0[ObjectIdentifier(type)] } as? [Subscriber<Message>] ?? []
    }

    private struct Subscriber<Message: Sendable>: Sendable {
        let prepare: @Sendable (Message) -> any Sendable
        let handle: @Sendable (Database, Message, (any Sendable)?) throws -> Void
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

/// Subscribers' work on a message done before its transaction (``TransactionBus/prepare(_:)``).
package struct PreparedMessage: Sendable {
    let values: [any Sendable]
}
