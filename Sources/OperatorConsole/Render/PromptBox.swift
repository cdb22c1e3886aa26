/// A prompt, drawn over the bottom of the content above the status line: a title bar, then
/// the line being typed, the choices, or the question.
enum PromptBox {
    static func lines(_ prompt: ConsolePrompt, state: ConsoleState, width: Int, maxRows: Int, palette: Palette) -> [StyledLine] {
        var out: [StyledLine]
        switch prompt {
        case .filter(let text):
            out = [bar("Filter the queue", width, palette), input("/ ", text, placeholder: "", width, palette)]
            var hint = LineBuilder(width: width)
            hint.add(
                "  p1-p4  mine  unclaimed held new claimed contacting dispatched cancelled  escalated  "
                    + "region digits  other words: name or district; empty shows all", style: palette.dim)
            out.append(hint.build())
        case .text(let entry):
            out = [bar(entry.title, width, palette), input("> ", entry.text, placeholder: entry.placeholder, width, palette)]
        case .pick(let picker):
            out = [bar(picker.title, width, palette)]
            let room = max(1, maxRows - 1)
            let top = min(max(0, picker.index - room + 1), max(0, picker.options.count - room))
            for (i, option) in picker.options.enumerated().dropFirst(top).prefix(room) {
                let current = i == picker.index
                var line = LineBuilder(width: width, base: current ? palette.selectedRow : .plain)
                line.add(current ? " > " : "   ")
                line.add(i < 9 ? "\(i + 1) " : "  ", style: .bold)
                line.add(option.label)
                out.append(line.build())
            }
        case .confirm(let confirmation):
            out = [bar("Confirm", width, palette)] + question(confirmation.question, width, palette)
        case .confirmQuit(let text):
            out = [bar("Quit", width, palette)] + question(text, width, palette)
        }
        return Array(out.prefix(maxRows))
    }

    private static func bar(_ title: String, _ width: Int, _ palette: Palette) -> StyledLine {
        var line = LineBuilder(width: width, base: palette.bar)
        line.add(" " + title)
        return line.build()
    }

    /// The text being typed, its end kept in view, with a block cursor.
    private static func input(_ lead: String, _ text: String, placeholder: String, _ width: Int, _ palette: Palette) -> StyledLine {
        var line = LineBuilder(width: width)
        line.add(" " + lead, style: .bold)
        let room = line.remaining - 2
        let clean = DisplayWidth.sanitized(text)
        var shown = clean
        if DisplayWidth.of(clean) > room {
            // Keep the end: that is where the typing happens.
            var tail: [Character] = []
            var used = 1
            for character in clean.reversed() {
                let w = DisplayWidth.of(character)
                if used + w > room { break }
                tail.append(character)
                used += w
            }
            shown = "…" + String(tail.reversed())
        }
        line.add(shown)
        line.add(" ", style: .reverse)
        if text.isEmpty && !placeholder.isEmpty { line.add(" " + placeholder, style: palette.dim) }
        return line.build()
    }

    private static func question(_ text: String, _ width: Int, _ palette: Palette) -> [StyledLine] {
        var out = DisplayWidth.wrap(text, max(1, width - 2)).map { piece -> StyledLine in
            var line = LineBuilder(width: width)
            line.add(" " + piece, style: .bold)
            return line.build()
        }
        var keys = LineBuilder(width: width)
        keys.add(" y", style: palette.warning)
        keys.add(" yes, go ahead    ")
        keys.add("n", style: .bold)
        keys.add(" no, nothing is sent")
        out.append(keys.build())
        return out
    }
}
