import CareModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The thin driver: feeds keys, ticks, signals and server answers to the reducer one at a
/// time, runs the effects it asks for as tasks, and draws.
///
/// Everything reaches the loop through one stream, so the state has one owner and needs no
/// locks. Keys are drawn at once (a keypress is on screen within a frame); feed events are
/// drawn at most every 15 ms, so a replay of thousands of changes costs a few frames, not thousands.
struct ConsoleRunLoop {
    let api: ConsoleAPI
    let terminal: Terminal
    let color: Bool
    let timeZone: TimeZone

    /// What the loop reacts to.
    enum Input: Sendable {
        case event(ConsoleEvent)
        case redraw
        case signal(Int32)
        case inputClosed
    }

    static let coalesce: Duration = .milliseconds(15)

    func run(me: ConsoleOperator) async {
        let (inputs, sink) = AsyncStream<Input>.makeStream()
        var state = ConsoleState(now: Date(), timeZone: timeZone)
        state.apply(.signedIn(me))
        let size = terminal.size()
        state.apply(.resized(width: size.width, height: size.height))

        let reader = KeyReader()
        reader.start(
            fd: terminal.input,
            keys: { keys in for key in keys { sink.yield(.event(.key(key))) } },
            closed: { sink.yield(.inputClosed) })
        let signals = SignalWatch([SIGWINCH, SIGINT, SIGTERM, SIGHUP]) { sink.yield(.signal($0)) }
        let feed = LiveFeed(api: api)
        let feedTask = Task { await feed.run { sink.yield(.event($0)) } }
        let tickTask = Task {
            while !Task.isCancelled {
                // On the second, so every age on screen ticks together.
                let millis = Int((Date().timeIntervalSince1970 * 1000).rounded(.down)) % 1000
                try? await Task.sleep(for: .milliseconds(1000 - millis + 2))
                sink.yield(.event(.tick(Date())))
            }
        }

        var diff = FrameDiff()
        var redrawPending = false
        func draw() {
            let output = diff.output(for: render(state, width: state.width, height: state.height, color: color))
            if !output.isEmpty { terminal.write(output) }
        }
        draw()

        loop: for await input in inputs {
            switch input {
            case .event(let event):
                for effect in state.apply(event) {
                    if effect == .quit { break loop }
                    perform(effect, sink: sink, feed: feed, diff: &diff)
                }
                if case .key = event {
                    draw()
                } else if !redrawPending {
                    redrawPending = true
                    Task {
                        try? await Task.sleep(for: Self.coalesce)
                        sink.yield(.redraw)
                    }
                }
            case .redraw:
                redrawPending = false
                draw()
            case .signal(SIGWINCH):
                let size = terminal.size()
                state.apply(.resized(width: size.width, height: size.height))
                diff.invalidate()
                draw()
            case .signal, .inputClosed:
                break loop
            }
        }

        reader.stop()
        signals.cancel()
        feedTask.cancel()
        tickTask.cancel()
        sink.finish()
    }

    /// Starts what an effect asks for; answers come back through `sink` as events.
    private func perform(
        _ effect: ConsoleEffect, sink: AsyncStream<Input>.Continuation, feed: LiveFeed,
        diff: inout FrameDiff
    ) {
        let api = api
        switch effect {
        case .loadDetail(let id):
            Task {
                do throws(ConsoleAPIError) {
                    sink.yield(.event(.detailLoaded(try await api.detail(of: id))))
                } catch {
                    sink.yield(.event(.detailFailed(callId: id, message: error.description)))
                }
            }
        case .perform(let request):
            Task {
                do throws(ConsoleAPIError) {
                    sink.yield(.event(.actionSucceeded(request, try await api.perform(request))))
                } catch {
                    sink.yield(.event(.actionFailed(request, error.actionFailure)))
                }
            }
        case .loadOverview:
            Task {
                do throws(ConsoleAPIError) {
                    sink.yield(.event(.overviewLoaded(try await api.overview())))
                } catch {
                    sink.yield(.event(.overviewFailed(error.description)))
                }
            }
        case .book(let wanted):
            Task {
                do throws(ConsoleAPIError) {
                    sink.yield(.event(.serviceBooked(callId: wanted.callId, summary: try await api.book(wanted))))
                } catch {
                    sink.yield(.event(.serviceBookingFailed(callId: wanted.callId, message: error.description)))
                }
            }
        case .reconnect:
            feed.reconnectNow()
        case .bell:
            terminal.write("\u{07}")
        case .redrawAll:
            diff.invalidate()
        case .quit:
            break
        }
    }
}
