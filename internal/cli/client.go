package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"

	"github.com/openacr/openacr/internal/server"
)

// DefaultSubscription is the subscription id of a server that was not
// given one.
const DefaultSubscription = "00000000-0000-0000-0000-000000000000"

// clients are the SDK clients of one invocation, all on one connection.
type clients struct {
	subscription string
	registries   *armcontainerregistry.RegistriesClient
	scopeMaps    *armcontainerregistry.ScopeMapsClient
	tokens       *armcontainerregistry.TokensClient
	// raw sends the requests the SDK has no client for (credential
	// policies, the audit log) through the same pipeline.
	raw *arm.Client
}

// pollOptions polls every second, the SDK's minimum (its default is 30 s).
// openacr usually completes operations synchronously: then nothing polls.
var pollOptions = &runtime.PollUntilDoneOptions{Frequency: time.Second}

// connection is where the server is and how to authenticate to it.
type connection struct {
	server, adminKey, subscription string
}

// connect resolves the connection and builds the clients, once.
func (a *app) connect() (*clients, error) {
	if a.cl != nil {
		return a.cl, nil
	}
	conn, err := a.connection()
	if err != nil {
		return nil, err
	}
	a.debugf("Using server %s, subscription %s", conn.server, conn.subscription)
	cred := adminKeyCredential(conn.adminKey)
	opts := a.clientOptions(conn.server)
	if a.g.acquirePolicyToken || a.g.changeReference != "" {
		p, err := newPolicyTokenPolicy(conn, cred, a.clientOptions(conn.server), a.g.changeReference)
		if err != nil {
			return nil, err
		}
		opts.PerCallPolicies = append(opts.PerCallPolicies, p)
	}
	f, err := armcontainerregistry.NewClientFactory(conn.subscription, cred, opts)
	if err != nil {
		return nil, fmt.Errorf("create management client: %w", err)
	}
	raw, err := arm.NewClient("openacr-cli", "v1.0.0", cred, opts)
	if err != nil {
		return nil, fmt.Errorf("create management client: %w", err)
	}
	a.cl = &clients{
		subscription: conn.subscription,
		registries:   f.NewRegistriesClient(),
		scopeMaps:    f.NewScopeMapsClient(),
		tokens:       f.NewTokensClient(),
		raw:          raw,
	}
	return a.cl, nil
}

func (a *app) clientOptions(serverURL string) *arm.ClientOptions {
	o := &arm.ClientOptions{DisableRPRegistration: true}
	o.Cloud = cloud.Configuration{Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
		cloud.ResourceManager: {Endpoint: serverURL, Audience: serverURL},
	}}
	o.InsecureAllowCredentialWithHTTP = true
	o.Retry = policy.RetryOptions{MaxRetries: 2, RetryDelay: 200 * time.Millisecond, MaxRetryDelay: time.Second}
	o.Telemetry.ApplicationID = "openacr-cli"
	if a.g.debug {
		o.PerRetryPolicies = append(o.PerRetryPolicies, &debugPolicy{a: a})
	}
	return o
}

// connection finds the server, the admin key and the subscription: flags,
// then environment, then the files a local `openacr serve` writes into its
// data directory.
func (a *app) connection() (connection, error) {
	dataDir := firstNonEmpty(a.g.dataDir, a.env.getenv("OPENACR_DATA"))
	if dataDir == "" {
		dataDir = server.DefaultDataDir()
	}
	c := connection{
		server:       firstNonEmpty(a.g.server, a.env.getenv("OPENACR_SERVER")),
		subscription: firstNonEmpty(a.g.subscription, a.env.getenv("OPENACR_SUBSCRIPTION"), DefaultSubscription),
	}
	if c.server == "" {
		b, err := os.ReadFile(filepath.Join(dataDir, server.EndpointFile))
		if err != nil {
			return c, fmt.Errorf("No openacr server to talk to: pass --server URL or set OPENACR_SERVER, or start \"openacr serve\" on this machine (it writes %s). Use --data or OPENACR_DATA if the server keeps its data elsewhere.",
				filepath.Join(dataDir, server.EndpointFile))
		}
		c.server = strings.TrimSpace(string(b))
	}
	c.server = strings.TrimRight(c.server, "/")
	if !strings.Contains(c.server, "://") {
		c.server = "http://" + c.server
	}
	switch {
	case a.g.adminKeyFile != "":
		b, err := os.ReadFile(a.g.adminKeyFile)
		if err != nil {
			return c, fmt.Errorf("read admin key: %w", err)
		}
		c.adminKey = strings.TrimSpace(string(b))
	case a.env.getenv("OPENACR_ADMIN_KEY") != "":
		c.adminKey = strings.TrimSpace(a.env.getenv("OPENACR_ADMIN_KEY"))
	default:
		path := filepath.Join(dataDir, server.AdminKeyFile)
		b, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("No admin key for the openacr server at %s: set OPENACR_ADMIN_KEY or pass --admin-key-file FILE (a local server keeps it in %s).", c.server, path)
		}
		c.adminKey = strings.TrimSpace(string(b))
	}
	if c.adminKey == "" {
		return c, errors.New("The admin key is empty: set OPENACR_ADMIN_KEY or pass --admin-key-file FILE.")
	}
	return c, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// adminKeyCredential is an azcore.TokenCredential that presents the admin
// key as the bearer token.
type adminKeyCredential string

func (k adminKeyCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(k), ExpiresOn: time.Now().Add(24 * time.Hour)}, nil
}

// registryID is the ARM id of a registry.
func registryID(subscription string, t target) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerRegistry/registries/%s",
		subscription, t.group, t.registry)
}

// collect drains a pager of the SDK, following nextLink to the last page,
// and returns every item; items picks a page's list out of its response.
func collect[P, T any](ctx context.Context, pager *runtime.Pager[P], items func(P) []*T) ([]*T, error) {
	all := []*T{}
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, items(page)...)
	}
	return all, nil
}
