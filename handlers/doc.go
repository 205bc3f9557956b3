// Package handlers is the platform-neutral command layer of hulpbot. A
// platform adapter verifies what arrives, finds the school, and hands over a
// Command ("/hulp groep 5 onrust na gym") or a Click (a press on
// "Ik kom eraan"); the Handler parses it, calls the bot core through the
// small Service interface, and answers with a neutral Reply or ClickReply in
// the school's language. The Notifier does the reverse for the core's
// notices: it renders them into Messages and hands them to a message.Sender.
//
// The files split the work:
//
//	grammar.go, groups.go, until.go, text.go   the "/hulp" grammar: Parse, GroupIndex, ParseUntil
//	names.go                                    LooksLikeName, the kind reminder not to name children
//	handler.go                                  dispatch to the core, and the one map from errors to words
//	replies.go, catalog.go                      the words: every text in Dutch and English
//	notifier.go                                 Render and the Notifier
//
// Nothing here logs what people type: logs carry ids and outcomes only.
package handlers
