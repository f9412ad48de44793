package dataplane

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"

	"github.com/distribution/distribution/v3"
	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	"github.com/distribution/distribution/v3/registry/storage"
	storagedriver "github.com/distribution/distribution/v3/registry/storage/driver"
	"github.com/distribution/distribution/v3/registry/storage/driver/factory"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem" // the default driver
)

// registryApp is one registry's distribution app, a namespace over the
// same storage for the filtered catalog and for reading manifests, and what
// openacr keeps in that storage itself.
type registryApp struct {
	app       *handlers.App
	ns        distribution.Namespace
	referrers *referrerIndex
	links     *links
}

// params returns the storage driver parameters of registry: the configured
// ones with rootdirectory moved to <rootdirectory>/registries/<name>.
func (rt *Router) params(registry string) configuration.Parameters {
	p := configuration.Parameters(maps.Clone(rt.cfg.Parameters))
	if p == nil {
		p = configuration.Parameters{}
	}
	base, _ := p["rootdirectory"].(string)
	if rt.cfg.Driver == "filesystem" {
		p["rootdirectory"] = filepath.Join(base, "registries", registry)
	} else {
		p["rootdirectory"] = path.Join("/", base, "registries", registry)
	}
	return p
}

// openApp builds the distribution app of registry. distribution panics on
// configuration it cannot use; that becomes an error here.
func (rt *Router) openApp(ctx context.Context, registry string) (ra *registryApp, err error) {
	defer func() {
		if p := recover(); p != nil {
			ra, err = nil, fmt.Errorf("open registry %q: storage driver %q: %v", registry, rt.cfg.Driver, p)
		}
	}()
	params := rt.params(registry)
	// A second driver over the same root serves the filtered catalog, the
	// referrer index and the digest aliases; the app keeps its own
	// unexported.
	d, err := factory.Create(ctx, rt.cfg.Driver, params)
	if err != nil {
		return nil, fmt.Errorf("open registry %q: %w", registry, err)
	}
	ns, err := storage.NewRegistry(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("open registry %q: %w", registry, err)
	}
	ra = &registryApp{ns: ns, referrers: &referrerIndex{driver: d}, links: &links{driver: d, ns: ns}}

	c := &configuration.Configuration{
		Storage: configuration.Storage{
			rt.cfg.Driver: params,
			"delete":      configuration.Parameters{"enabled": true},
			"cache":       configuration.Parameters{"blobdescriptor": "inmemory"},
		},
		Middleware: map[string][]configuration.Middleware{
			"repository": {{Name: digestsMiddleware, Options: configuration.Parameters{"links": ra.links}}},
		},
	}
	c.HTTP.Secret = rt.cfg.Secret
	c.HTTP.Headers = map[string][]string{"X-Content-Type-Options": {"nosniff"}}
	c.Catalog.MaxEntries = 1000
	c.Tags.MaxTags = 1000
	// Layers with URLs (non-distributable, "foreign" layers) are accepted
	// when the URLs are http or https; distribution's default refuses every
	// URL, and answers such a manifest with 500.
	c.Validation.Manifests.URLs.Allow = []string{`^https?://`}
	if rt.auth != nil {
		c.Auth = configuration.Auth{controllerName: configuration.Parameters{"controller": rt.ctl}}
	}
	ra.app = handlers.NewApp(ctx, c)
	return ra, nil
}

// deleteContent removes everything stored for registry.
func (rt *Router) deleteContent(ctx context.Context, registry string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("delete content of registry %q: %v", registry, p)
		}
	}()
	params := rt.params(registry)
	if rt.cfg.Driver == "filesystem" {
		if err := os.RemoveAll(params["rootdirectory"].(string)); err != nil {
			return fmt.Errorf("delete content of registry %q: %w", registry, err)
		}
		return nil
	}
	d, err := factory.Create(ctx, rt.cfg.Driver, params)
	if err != nil {
		return fmt.Errorf("delete content of registry %q: %w", registry, err)
	}
	// distribution keeps everything under /docker of the root, openacr
	// under /openacr.
	for _, dir := range []string{"/docker", "/openacr"} {
		err = d.Delete(ctx, dir)
		if err != nil && !errors.As(err, new(storagedriver.PathNotFoundError)) {
			return fmt.Errorf("delete content of registry %q: %w", registry, err)
		}
	}
	return nil
}
