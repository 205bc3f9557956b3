package main

import (
	"context"
	"errors"
	"io"

	"github.com/hulpbot/hulpbot/handlers"
)

func setupMattermost(ctx context.Context, deps platformDeps) (handlers.Sender, error) {
	return nil, errors.New("the Mattermost adapter is not built yet")
}

func runMattermostSetup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("mattermost-setup is not built yet")
}
