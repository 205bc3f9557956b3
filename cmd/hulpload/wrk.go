package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"time"
)

// writeWrkFile writes n slash commands for wrk (see wrk.lua), each a
// request for help from its own teacher with its own trigger_id, spread
// over the schools, signed now: one line "timestamp TAB signature TAB body"
// each. Slack accepts a signature for five minutes, so the file is for one
// run started right away.
func writeWrkFile(path string, e *Env, n int) error {
	return writeCommands(path, e.Layout.Schools, e.Layout.Secret, e.Fake.ResponseURL, n)
}

// writeCommands writes n such lines for schools schools, signed with
// secret; respond gives each command's response_url.
func writeCommands(path string, schools int, secret string, respond func(id string) string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	ts := time.Now().Unix()
	run := randomHex(3)
	for i := range n {
		s, t := teacherOf(i, schools)
		c := SlashCommand{
			TeamID: TeamID(s), TeamDomain: "school-" + strconv.Itoa(s),
			ChannelID: "C0GROEP5", ChannelName: "groep-5",
			UserID: TeacherUser(s, t), UserName: TeacherName(s, t),
			Text:        "groep " + Group + " " + Token(int64(i)),
			ResponseURL: respond("wrk-" + strconv.Itoa(i)),
			TriggerID:   fmt.Sprintf("%d.%d.wrk%s", ts, i, run),
		}
		body := c.Body()
		fmt.Fprintf(w, "%d\t%s\t%s\n", ts, Sign(secret, ts, body), body)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
