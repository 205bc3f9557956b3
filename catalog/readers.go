package catalog

import (
	"context"

	"github.com/hulpbot/hulpbot/bot"
)

// PersonLanguages knows the language a person reads, when it is kept
// (personlang.Cache): rendering never waits on a chat platform.
type PersonLanguages interface {
	Known(ctx context.Context, who string) (lang string, ok bool)
}

// ReaderSchool is sc as to reads it: a person at a school that allows
// more than one language reads their known language; a channel, a school
// with one language, or a person whose language is not kept, the
// school's. Every message to one person is worded through it, whenever it
// is sent.
func ReaderSchool(ctx context.Context, langs PersonLanguages, sc *bot.School, to bot.Recipient) *bot.School {
	if langs == nil || sc == nil || to.Channel != "" || to.Handle == "" || len(sc.Languages()) < 2 {
		return sc
	}
	if l, ok := langs.Known(ctx, to.Identity()); ok {
		return sc.Speaking(l)
	}
	return sc
}
