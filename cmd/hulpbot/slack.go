package main

import (
	"context"
	"errors"

	"github.com/hulpbot/hulpbot/handlers"
)

func setupSlack(ctx context.Context, deps platformDeps) (handlers.Sender, error) {
	return nil, errors.New("the Slack adapter is not built yet")
}
