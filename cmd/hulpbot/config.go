package main

import (
	"fmt"
	"runtime/debug"

	"github.com/hulpbot/hulpbot/bot"
	"github.com/hulpbot/hulpbot/config"
)

// loadConfig reads the configuration file at path and builds the directory
// of schools from it.
//
// Reading a large configuration (a thousand schools) makes garbage many
// times its size: the garbage collector runs often while the file and the
// directory are made, so the process's peak memory stays near what it
// keeps, and the garbage's pages go back to the system after. The setting
// is the whole process's, so the program turns it, around its one load,
// not package config.
func loadConfig(path string, getenv func(string) string) (*config.Config, *bot.Directory, error) {
	gc := debug.SetGCPercent(2)
	defer func() {
		debug.SetGCPercent(gc)
		debug.FreeOSMemory()
	}()
	cfg, err := config.Load(path, getenv)
	if err != nil {
		return nil, nil, fmt.Errorf("%s:\n%w", path, err)
	}
	dir, err := cfg.Directory()
	if err != nil {
		return nil, nil, fmt.Errorf("%s:\n%w", path, err)
	}
	return cfg, dir, nil
}
