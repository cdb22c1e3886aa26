import OperatorConsole
import Testing
