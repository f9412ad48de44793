package dataplane

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sirupsen/logrus"
)

// distribution logs through logrus's standard logger (its context logger
// falls back to it, and the hook to give it another is internal), so the
// bridge to slog is necessarily process-wide: the logger of the last Router
// made receives distribution's messages.
var bridge struct {
	once sync.Once
	log  atomic.Pointer[slog.Logger]
}

// routeLogrus sends distribution's logging to log. distribution logs every
// request at info level; that becomes debug here, so that a server at info
// level logs only our own line for a request.
func routeLogrus(log *slog.Logger) {
	bridge.log.Store(log)
	bridge.once.Do(func() {
		l := logrus.StandardLogger()
		l.SetOutput(io.Discard)
		l.SetFormatter(slogFormatter{})
	})
	level := logrus.WarnLevel
	if log.Enabled(context.Background(), slog.LevelDebug) {
		level = logrus.DebugLevel
	}
	logrus.StandardLogger().SetLevel(level)
}

// levelOf maps a logrus entry to a slog level. distribution reports every
// refused or failed request at warn or error level ("manifest unknown" on
// each probe a client makes, "authentication required" on each challenge);
// those are the normal flow, and we log refusals ourselves, so a request's
// entries are debug unless distribution does not know what went wrong. So
// is its warning on every read of a blob by a sha512 digest, which is how
// it finds such blobs (digests.go).
func levelOf(e *logrus.Entry) slog.Level {
	_, request := e.Data["http.request.id"]
	switch {
	case strings.HasPrefix(e.Message, "looking up blob with canonical target"):
		return slog.LevelDebug
	case e.Level <= logrus.ErrorLevel && (!request || fmt.Sprint(e.Data["err.code"]) == "UNKNOWN"):
		return slog.LevelError
	case e.Level == logrus.WarnLevel && !request:
		return slog.LevelWarn
	}
	return slog.LevelDebug
}

// slogFormatter hands each logrus entry to slog and writes nothing itself.
type slogFormatter struct{}

func (slogFormatter) Format(e *logrus.Entry) ([]byte, error) {
	log := bridge.log.Load()
	if log == nil {
		return nil, nil
	}
	level := levelOf(e)
	ctx := e.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if !log.Enabled(ctx, level) {
		return nil, nil
	}
	attrs := make([]slog.Attr, 0, len(e.Data)+1)
	attrs = append(attrs, slog.String("component", "distribution"))
	for k, v := range e.Data {
		attrs = append(attrs, slog.Any(k, v))
	}
	log.LogAttrs(ctx, level, e.Message, attrs...)
	return nil, nil
}
