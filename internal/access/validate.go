package access

import (
	"regexp"
	"unicode/utf8"
)

var (
	registryName = regexp.MustCompile(`^[a-zA-Z0-9]{5,50}$`)
	tokenName    = regexp.MustCompile(`^[a-zA-Z0-9-]{5,50}$`)
	scopeMapName = regexp.MustCompile(`^[a-zA-Z0-9-_]{5,50}$`)
	groupName    = regexp.MustCompile(`^[-\w\._\(\)]{1,90}$`)
)

// MaxDescription is the longest scope-map description, in characters.
const MaxDescription = 256

// ValidateRegistryName checks a registry name (SPEC §1), in az's words.
func ValidateRegistryName(name string) error {
	if !registryName.MatchString(name) {
		return errorf(ErrInvalidName, "Registry names may contain only alpha numeric characters and must be between 5 and 50 characters. Got '%s'.", name)
	}
	return nil
}

// ValidateTokenName checks a token name (SPEC §1).
func ValidateTokenName(name string) error {
	if !tokenName.MatchString(name) {
		return errorf(ErrInvalidName, "Token name '%s' is invalid: it must be between 5 and 50 characters and may contain only letters, digits and hyphens (^[a-zA-Z0-9-]*$).", name)
	}
	return nil
}

// ValidateScopeMapName checks a scope-map name (SPEC §1).
func ValidateScopeMapName(name string) error {
	if !scopeMapName.MatchString(name) {
		return errorf(ErrInvalidName, "Scope map name '%s' is invalid: it must be between 5 and 50 characters and may contain only letters, digits, hyphens and underscores (^[a-zA-Z0-9-_]*$).", name)
	}
	return nil
}

// ValidateGroupName checks a resource group name as Azure does: 1-90
// letters, digits, underscores, hyphens, periods and parentheses, not ending
// in a period.
func ValidateGroupName(name string) error {
	if !groupName.MatchString(name) || name[len(name)-1] == '.' {
		return errorf(ErrInvalidName, "Resource group name '%s' is invalid: it must be 1-90 characters of letters, digits, underscores, hyphens, periods and parentheses, and cannot end in a period.", name)
	}
	return nil
}

func validateDescription(d string) error {
	if n := utf8.RuneCountInString(d); n > MaxDescription {
		return errorf(ErrInvalid, "The description is %d characters long; maximum %d characters are allowed.", n, MaxDescription)
	}
	return nil
}
