package server

// The storage drivers StorageConfig can name besides filesystem (which the
// data plane imports itself). They register with distribution's driver
// factory when imported.
import (
	_ "github.com/distribution/distribution/v3/registry/storage/driver/azure"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/gcs"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/s3-aws"
)
