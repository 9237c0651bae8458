#include "producer/tools/board_view.h"

#include <algorithm>

namespace opd::tools {
namespace {

constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kReverse = "\x1b[7m";
constexpr std::string_view kReset = "\x1b[0m";

std::string mark(const TokenView& t) {
  std::string text = "#" + std::to_string(t.number);
  if (t.state == "CALLED") text += "*";
  else if (t.state == "COMPLETED") text += "+";
  else if (t.state == "NO_SHOW") text += "-";
  return text;
}

std::string slot_time(const SlotView& slot) {
  if (!slot.start) return "--:--      ";
  return *slot.start + "-" + slot.end.value_or("     ");
}

// Space-separated items cut to fit `room` columns, "..." when cut.
std::string fit(const std::vector<std::string>& items, std::size_t room) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string next = (out.empty() ? "" : " ") + items[i];
    const bool last = i + 1 == items.size();
    if (out.size() + next.size() + (last ? 0 : 4) > room) {
      out += out.empty() ? "..." : " ...";
      return out;
    }
    out += next;
  }
  return out.empty() ? "-" : out;
}

// Cuts a line to `width` visible columns; ANSI escapes take none, and a
// cut line still ends with a reset so no style leaks into the next one.
std::string clip(const std::string& line, std::size_t width) {
  std::string out;
  std::size_t visible = 0;
  bool cut = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b') {
      const std::size_t end = line.find('m', i);
      const std::size_t stop = end == std::string::npos ? line.size() : end + 1;
      out.append(line, i, stop - i);
      i = stop - 1;
      continue;
    }
    if (visible == width) {
      cut = true;
      continue;
    }
    out.push_back(line[i]);
    ++visible;
  }
  if (cut && line.find('\x1b') != std::string::npos) out += kReset;
  return out;
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() > width) text.resize(width);
  text.append(width - text.size(), ' ');
  return text;
}

struct Block {
  std::string header;
  std::vector<std::string> slots;         // one line per slot
  std::vector<bool> slot_has_waiting;
  std::vector<std::string> extra;         // waitlist, moves
};

Block block_of(const BoardView& board, std::size_t width) {
  Block b;
  const std::string serving = board.now_serving ? "#" + std::to_string(board.now_serving->number) : "--";
  const std::string left = " DOCTOR " + board.doctor_id;
  const std::string right = "NOW SERVING " + serving + " ";
  const std::size_t gap = width > left.size() + right.size() ? width - left.size() - right.size() : 1;
  b.header = std::string(kReverse) + std::string(kBold) + left + std::string(gap, ' ') + right + std::string(kReset);
  for (const auto& slot : board.slots) {
    std::vector<std::string> waiting;
    for (const auto& t : slot.tokens)
      if (t.state == "WAITING") waiting.push_back("#" + std::to_string(t.number));
    const std::string lead = "   " + slot_time(slot) + "  " + pad(slot.slot_id, 12) + " next: ";
    const std::string tokens = slot.capacity == 0 ? "(closed)" : fit(waiting, width > lead.size() ? width - lead.size() : 0);
    b.slots.push_back(lead + tokens);
    b.slot_has_waiting.push_back(!waiting.empty());
  }
  if (!board.waitlist.empty()) {
    std::vector<std::string> items;
    for (const auto& t : board.waitlist) items.push_back(mark(t));
    b.extra.push_back("   waitlist: " + fit(items, width - 13));
  }
  if (!board.recent_moves.empty()) {
    std::vector<std::string> items;
    for (auto it = board.recent_moves.rbegin(); it != board.recent_moves.rend(); ++it)
      items.push_back(it->first + " -> " + (it->second == kWaitlistWire ? std::string("waitlist") : it->second) + ",");
    if (!items.empty()) items.back().pop_back();
    b.extra.push_back("   moved: " + fit(items, width - 10));
  }
  return b;
}

}  // namespace

std::string plain_line(const BoardView& board) {
  std::string line = board.doctor_id + " v" + std::to_string(board.version) + " serving " +
                     (board.now_serving ? "#" + std::to_string(board.now_serving->number) : std::string("-"));
  for (const auto& slot : board.slots) {
    line += " | " + slot.slot_id + " cap " + std::to_string(slot.capacity) + ":";
    if (slot.tokens.empty()) line += " -";
    for (const auto& t : slot.tokens) line += " " + mark(t);
  }
  line += " | waitlist:";
  if (board.waitlist.empty()) line += " -";
  for (const auto& t : board.waitlist) line += " " + mark(t);
  return line;
}

std::vector<std::string> screen_lines(const std::vector<const BoardView*>& boards,
                                      const std::vector<std::string>& unavailable, const ScreenStatus& status,
                                      std::size_t width, std::size_t height) {
  std::vector<std::string> lines;
  const std::string title = " OPD WAITING ROOM";
  const std::string state = status.lost ? "CONNECTION LOST" : "LIVE";
  const std::string right = (status.updated.empty() ? "" : "updated " + status.updated + "  ") + state + " ";
  const std::size_t gap = width > title.size() + right.size() ? width - title.size() - right.size() : 1;
  lines.push_back(std::string(kBold) + title + std::string(gap, ' ') +
                  (status.lost ? std::string(kReverse) : std::string()) + right + std::string(kReset));
  lines.push_back(std::string(width, '-'));

  std::vector<Block> blocks;
  for (const BoardView* board : boards) blocks.push_back(block_of(*board, width));
  const std::size_t footer = 1;
  const std::size_t room = height > lines.size() + footer + unavailable.size() ? height - lines.size() - footer - unavailable.size() : 0;
  const auto total = [&blocks] {
    std::size_t n = 0;
    for (const auto& b : blocks) n += 1 + b.slots.size() + b.extra.size();
    return n;
  };
  // Shorten until it fits: idle slots first, then all but the first few.
  if (total() > room) {
    for (auto& b : blocks) {
      std::vector<std::string> kept;
      std::size_t hidden = 0;
      for (std::size_t i = 0; i < b.slots.size(); ++i) (b.slot_has_waiting[i] ? (void)kept.push_back(b.slots[i]) : (void)++hidden);
      if (hidden > 0) kept.push_back("   (" + std::to_string(hidden) + " slot(s) with nobody waiting)");
      b.slots = std::move(kept);
    }
  }
  for (std::size_t keep = 3; total() > room && keep > 0; --keep)
    for (auto& b : blocks)
      if (b.slots.size() > keep) {
        const std::size_t hidden = b.slots.size() - keep;
        b.slots.resize(keep);
        b.slots.push_back("   (+" + std::to_string(hidden) + " more)");
      }
  for (const auto& b : blocks) {
    lines.push_back(b.header);
    lines.insert(lines.end(), b.slots.begin(), b.slots.end());
    lines.insert(lines.end(), b.extra.begin(), b.extra.end());
  }
  for (const auto& u : unavailable) lines.push_back(" " + u);
  if (lines.size() > height - footer) lines.resize(height - footer);
  while (lines.size() < height - footer) lines.emplace_back();
  lines.push_back(status.lost ? std::string(kReverse) + " " + status.note + std::string(kReset)
                              : " " + (status.note.empty() ? std::string("Ctrl-C to quit") : status.note));
  for (auto& line : lines) line = clip(line, width);
  return lines;
}

}  // namespace opd::tools
