package scope_test

import (
	"fmt"

	"github.com/openacr/openacr/internal/scope"
)

// Rules are additive: a repository gets the union of every rule that
// matches it (SPEC §2).
func ExampleSet_Allowed() {
	set, err := scope.Compile([]string{
		"repositories/sample/*/content/read",
		"repositories/sample/teamA/*/content/write",
		"repositories/sample/teamA/projectB/content/delete",
	})
	if err != nil {
		panic(err)
	}
	for _, repo := range []string{"sample/teama/projectb", "sample/teama/projectc", "sample/teamb/app", "other"} {
		fmt.Printf("%s: %v %v\n", repo, set.Allowed(repo), set.Allowed(repo).Docker())
	}
	// Output:
	// sample/teama/projectb: content/read,content/write,content/delete [pull push delete]
	// sample/teama/projectc: content/read,content/write [pull push]
	// sample/teamb/app: content/read [pull]
	// other:  []
}

func ExampleParse() {
	r, err := scope.Parse("repositories/Team/*/Content/Read")
	fmt.Println(r, err)
	_, err = scope.Parse("repositories/team/*/app/content/read")
	fmt.Println(err)
	// Output:
	// repositories/team/*/content/read <nil>
	// invalid action "repositories/team/*/app/content/read": a wildcard must be the last path component ("*" or "<prefix>/*"), and there may be only one
}
