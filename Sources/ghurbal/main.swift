import Foundation
import Ghurbal
let d = try Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments[1]))
print(ArabicNormalizer().normalize(bytes: [UInt8](d)).text)
