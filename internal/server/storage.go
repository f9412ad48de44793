package server

// StorageConfig selects where registries keep their content: a distribution
// storage driver and its parameters, exactly as in distribution's own
// configuration file, so that S3, Azure Blob Storage or Google Cloud Storage
// need no code change. Each registry gets its own root,
// <rootdirectory>/registries/<name>, deleted with the registry.
//
//	storage:
//	  driver: s3aws
//	  parameters: {region: eu-west-1, bucket: my-registry, rootdirectory: /openacr}
type StorageConfig struct {
	// Driver is filesystem (the default), s3aws, azure or gcs.
	Driver string `yaml:"driver"`
	// Parameters are the driver's; for filesystem, rootdirectory defaults
	// to the data directory.
	Parameters map[string]any `yaml:"parameters"`
}

// storage returns the storage settings with their defaults applied.
func (c Config) storage() StorageConfig {
	st := c.Storage
	if st.Driver == "" {
		st.Driver = "filesystem"
	}
	p := map[string]any{}
	for k, v := range st.Parameters {
		p[k] = v
	}
	if _, ok := p["rootdirectory"]; !ok && st.Driver == "filesystem" {
		p["rootdirectory"] = c.Data
	}
	st.Parameters = p
	return st
}
