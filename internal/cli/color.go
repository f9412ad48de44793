package cli

import (
	"bytes"
	"regexp"
)

// ANSI colours for jsonc and yamlc, after the pygments terminal palette az
// uses: keys blue, strings yellow, other literals bright blue.
const (
	colorKey     = "\x1b[94m"
	colorString  = "\x1b[33m"
	colorLiteral = "\x1b[34m"
	colorReset   = "\x1b[39m"
)

// colorJSON colours indented JSON produced by marshalJSON.
func colorJSON(b []byte) []byte {
	var out bytes.Buffer
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(b) && b[j] != '"' {
				if b[j] == '\\' {
					j++
				}
				j++
			}
			j++ // closing quote
			k := j
			for k < len(b) && (b[k] == ' ' || b[k] == '\n') {
				k++
			}
			col := colorString
			if k < len(b) && b[k] == ':' {
				col = colorKey
			}
			out.WriteString(col)
			out.Write(b[i:j])
			out.WriteString(colorReset)
			i = j
		case c == '-' || c == 't' || c == 'f' || c == 'n' || (c >= '0' && c <= '9'):
			j := i
			for j < len(b) && !bytes.ContainsRune([]byte(",]}\n "), rune(b[j])) {
				j++
			}
			out.WriteString(colorLiteral)
			out.Write(b[i:j])
			out.WriteString(colorReset)
			i = j
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.Bytes()
}

var yamlLine = regexp.MustCompile(`^(\s*(?:- )?)([^\s:#'"][^:]*|'[^']*'|"[^"]*"):( .*)?$`)

// colorYAML colours block YAML produced by marshalYAML: keys and scalar
// values.
func colorYAML(b []byte) []byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	var out bytes.Buffer
	for _, l := range lines {
		nl := bytes.HasSuffix(l, []byte("\n"))
		l = bytes.TrimSuffix(l, []byte("\n"))
		if m := yamlLine.FindSubmatch(l); m != nil {
			out.Write(m[1])
			out.WriteString(colorKey + string(m[2]) + colorReset + ":")
			if len(m[3]) > 0 {
				out.WriteString(" " + colorString + string(m[3][1:]) + colorReset)
			}
		} else if t := bytes.TrimLeft(l, " "); bytes.HasPrefix(t, []byte("- ")) {
			out.Write(l[:len(l)-len(t)+2])
			out.WriteString(colorString + string(t[2:]) + colorReset)
		} else {
			out.Write(l)
		}
		if nl {
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}
