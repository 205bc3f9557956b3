package redisstore

import (
	"context"
	_ "embed"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

//go:embed migrate_done_note.lua
var migrateDoneNoteLua string

var migrateDoneNote = redis.NewScript(migrateDoneNoteLua)

// MigrateDoneNotes takes the helpers' closing notes out of the request
// records where earlier versions kept them for the records' whole
// retention: a note whose request closed less than the note grace before
// now moves to its own key for the rest of that grace, an older one is
// erased (migrate_done_note.lua, one script per record). Run at start; it
// looks through the key space once (every node of a cluster) and reads
// one field per record. A failure is not fatal: the next start takes the
// rest. It logs the outcome, counts only.
func (s *Store) MigrateDoneNotes(ctx context.Context, now time.Time) (moved, erased int, err error) {
	moved, erased, err = s.migrateDoneNotes(ctx, now)
	if err != nil {
		s.log.Warn("closing notes of an earlier version not migrated", "moved", moved, "erased", erased, "err", err)
	} else if moved+erased > 0 {
		s.log.Info("closing notes of an earlier version migrated", "moved", moved, "erased", erased)
	}
	return moved, erased, err
}

func (s *Store) migrateDoneNotes(ctx context.Context, now time.Time) (moved, erased int, err error) {
	const op = "redisstore: migrate closing notes"
	var keys []string
	// {*}:*req:* also finds a school in a pool of several:
	// <prefix>:{pool.<id>}:<school>:req:<id>
	if err := s.scan(ctx, globEscape(s.prefix)+":{*}:*req:*", func(k string) {
		if i := strings.LastIndex(k, ":req:"); i > 0 && !strings.Contains(k[i+5:], ":") {
			keys = append(keys, k)
		}
	}); err != nil {
		return 0, 0, fail(op, err)
	}
	slices.Sort(keys)
	grace := s.noteGrace()
	nowms := strconv.FormatInt(now.UnixMilli(), 10)
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 500)]
		keys = keys[len(batch):]
		// Most records have none: one pipelined look first.
		has := make([]*redis.BoolCmd, len(batch))
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, k := range batch {
				has[i] = p.HExists(ctx, k, fDoneNote)
			}
			return nil
		})
		// A key of that name that is no record answers WRONGTYPE: not ours.
		var rerr redis.Error
		if err != nil && !errors.As(err, &rerr) {
			return moved, erased, fail(op, err)
		}
		for i, k := range batch {
			if !has[i].Val() {
				continue
			}
			at := strings.LastIndex(k, ":req:")
			n, err := migrateDoneNote.Run(ctx, s.rdb, []string{k, k[:at] + ":donenote:" + k[at+5:]}, nowms, grace).Int()
			if err != nil {
				return moved, erased, fail(op, err)
			}
			switch n {
			case 1:
				erased++
			case 2:
				moved++
			}
		}
	}
	return moved, erased, nil
}
