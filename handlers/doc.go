// Package handlers is the platform-neutral command layer of hulpbot. A
// platform adapter verifies what arrives, finds the school, and hands over a
// Command ("/hulp groep 5 onrust na gym") or a Click (a press on
// "Ik kom eraan"); the Handler parses it, calls the bot core through the
// small Service interface, and answers with a neutral Reply or ClickReply.
// The words of every answer come from package catalog, in the school's
// language; this package decides which answer a command gets.
//
// The files split the work:
//
//	grammar.go, groups.go, until.go, text.go   the "/hulp" grammar: Parse, GroupIndex, ParseUntil
//	names.go                                    Sensitive and LooksLikeName: a note that names a child or holds health data (package notecheck)
//	handler.go, types.go                        dispatch to the core, and the one map from errors to words
//	weekly.go                                   the weekly rhythm's commands and buttons
//
// The name check lives here, not with the words: it reads what people type,
// with the grammar's way of splitting and folding words and the school's
// own words (groups, helpers) the handler keeps, and what follows is the
// command layer's decision (a reminder under the reply now; holding the
// note until the teacher chooses, later). The catalogue holds only the
// reminder's words.
//
// Nothing here logs what people type: logs carry ids and outcomes only.
package handlers
