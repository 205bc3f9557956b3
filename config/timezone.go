package config

import (
	"sync"
	"time"
)

// zones are the time zones loaded so far, by name. Loading one reads the
// system's zone file (or the embedded copy), and a configuration names the
// same zone for school after school, checked and then converted; the
// names that load are a few hundred at most.
var zones sync.Map // string → *time.Location

// loadLocation is time.LoadLocation, each zone read once.
func loadLocation(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
