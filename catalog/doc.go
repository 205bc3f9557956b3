// Package catalog is the words hulpbot says and how each message is put
// together, in the school's language (Dutch or English). It decides what a
// message reads like; what a command means is the command layer's
// (handlers), what happens the core's (bot), and how a message looks on a
// platform each adapter's.
//
//	catalog.go   the catalogue: every text in Dutch and English (Text)
//	replies.go   labels for groups, roles, helpers and times; the replies
//	             to commands that take more than one text
//	notice.go    the notices a change owes (Render), and NoticeRenderer,
//	             which the outbox asks at delivery
//	weekly.go    the weekly posts: kernteam reminder, success stories, the
//	             coordinators' digest with its chart, the CSV export
//	posts.go     WeeklyPosts: each weekly post with its recipients, for
//	             the scheduler to queue
//
// Rendering is a pure function of the school and the values, tested with
// golden files in testdata (go test -update rewrites them). NoticeRenderer
// and WeeklyPosts first read the request or the week as it stands through
// small interfaces on the core.
package catalog
