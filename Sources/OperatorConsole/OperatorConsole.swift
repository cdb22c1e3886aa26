/// The terminal operator console (issue 6): a pure core and a thin terminal driver.
public enum OperatorConsole {}
