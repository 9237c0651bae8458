// How opd-display shows boards: one plain line per change (logs, tests),
// or a full screen that fits an 80x24 terminal.
#pragma once

#include <string>
#include <vector>

#include "producer/tools/board.h"

namespace opd::tools {

// "D1 v12 serving #3 | D1-0900 cap 10: #1+ #2- #3* #4 | D1-1000 cap 10: - | waitlist: #9"
// Marks: * called, + completed, - no-show; unmarked tokens are waiting.
[[nodiscard]] std::string plain_line(const BoardView& board);

// What the screen's header line says about the connection.
struct ScreenStatus {
  std::string updated;  // "HH:MM:SS" of the last change, or empty
  bool lost = false;    // heartbeats stopped
  std::string note;     // e.g. "no heartbeat for 4 s"
};

// At most `height` lines of at most `width` columns (ANSI bold/reverse
// escapes do not count); boards that do not fit are shortened: slots with
// nobody waiting go first, then slots beyond the first few.
[[nodiscard]] std::vector<std::string> screen_lines(const std::vector<const BoardView*>& boards,
                                                    const std::vector<std::string>& unavailable,
                                                    const ScreenStatus& status, std::size_t width,
                                                    std::size_t height);

}  // namespace opd::tools
