package conf

import (
	"strconv"
	"strings"
)

// Error is one configuration problem.
type Error struct {
	File string // empty when the Config was built in code
	Line int    // 0 when unknown
	Path string // the key, e.g. "operators[1].tps"
	Msg  string
}

// Error renders "file:line: path: msg", leaving out what is unknown.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteByte(':')
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// source maps key paths to the line they were read from.
type source struct {
	file  string
	lines map[string]int
}

// line returns the line of path or of its nearest known ancestor.
func (s *source) line(path string) int {
	if s == nil {
		return 0
	}
	for path != "" {
		if l, ok := s.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

func (s *source) fileName() string {
	if s == nil {
		return ""
	}
	return s.file
}
