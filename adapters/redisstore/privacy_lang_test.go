package redisstore

import (
	"testing"
	"time"
)

// The language a person reads (kept by the platform adapters under their
// pseudonym) is in their export and goes with their erasure.
func TestExportAndErasePersonLanguage(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	pseudo, err := f.s.Pseudonyms().Of(ctx, anneP.Address.Identity())
	if err != nil {
		t.Fatal(err)
	}
	key := f.prefix + ":lang:" + pseudo
	if err := f.rdb.Set(ctx, key, "en", 24*time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.ExportPerson(ctx, school, anneP, t0)
	if err != nil {
		t.Fatal(err)
	}
	if v := got.OtherKeys[key]; v != "en" {
		t.Errorf("export: %s = %v, want en (all: %v)", key, v, got.OtherKeys)
	}
	erased, err := f.s.ErasePerson(ctx, school, anneP)
	if err != nil {
		t.Fatal(err)
	}
	if erased.OtherKeys != 1 {
		t.Errorf("erased %d other keys, want 1 (the language)", erased.OtherKeys)
	}
	if n := f.rdb.Exists(ctx, key).Val(); n != 0 {
		t.Errorf("%s still there after erasure", key)
	}
	// Someone without a kept language: nothing of the kind in the export.
	got, err = f.s.ExportPerson(ctx, school, anneP, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.OtherKeys[key]; ok {
		t.Errorf("export after erasure holds %s", key)
	}
}
