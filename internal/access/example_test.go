package access_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/openacr/openacr/internal/access"
	"github.com/openacr/openacr/internal/store"
)

// A registry, a scope map, a token with a generated password, and a login
// with it.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "openacr-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, filepath.Join(dir, "openacr.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	svc, err := access.New(st, []byte(strings.Repeat("k", 32)), nil) // use a random key in real life
	if err != nil {
		log.Fatal(err)
	}

	if _, _, err := svc.PutRegistry(ctx, "my-group", "myregistry", "westeurope", access.Basic); err != nil {
		log.Fatal(err)
	}
	actions := []string{"repositories/samples/*/content/read"}
	if _, _, err := svc.PutScopeMap(ctx, "my-group", "myregistry", "samples-reader", nil, actions); err != nil {
		log.Fatal(err)
	}
	if _, _, err := svc.PutToken(ctx, "my-group", "myregistry", "MyToken", "samples-reader", access.Enabled); err != nil {
		log.Fatal(err)
	}
	g, err := svc.GenerateCredentials(ctx, "my-group", "myregistry", "MyToken", access.Password1, nil)
	if err != nil {
		log.Fatal(err)
	}
	secret := g.Passwords[0].Value // shown once; only its hash is stored

	p, err := svc.Authenticate(ctx, "myregistry", "MyToken", secret)
	fmt.Println(p.Token, p.Password, p.ScopeMap, err)
	_, err = svc.Authenticate(ctx, "myregistry", "MyToken", "oacr_not-a-real-password")
	fmt.Println(err)
	// Output:
	// MyToken password1 samples-reader <nil>
	// authentication required: invalid username or password
}
