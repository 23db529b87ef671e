package policy

// Provider, group and amr selectors: exact, case-sensitive string sets.
// Provider names are the configured names; group names and AMR values
// (RFC 8176) are compared as the provider sends them.

type providerMatcher struct{ set exactSet }

var _ matcher = (*providerMatcher)(nil)

func compileProvider(l []string, path string) (*providerMatcher, []error) {
	return &providerMatcher{set: newExactSet(l)}, checkList(l, path)
}

func (m *providerMatcher) match(in Input) (tri, *Reason) {
	return boolTri(in.Identity.Provider != "" && m.set.has(in.Identity.Provider)), nil
}

type groupMatcher struct{ set exactSet }

var _ matcher = (*groupMatcher)(nil)

func compileGroup(l []string, path string) (*groupMatcher, []error) {
	return &groupMatcher{set: newExactSet(l)}, checkList(l, path)
}

func (m *groupMatcher) match(in Input) (tri, *Reason) {
	return boolTri(m.set.hasAny(in.Identity.Groups)), nil
}

// amrMatcher matches when any listed method is among the identity's AMR.
type amrMatcher struct{ set exactSet }

var _ matcher = (*amrMatcher)(nil)

func compileAMR(l []string, path string) (*amrMatcher, []error) {
	return &amrMatcher{set: newExactSet(l)}, checkList(l, path)
}

func (m *amrMatcher) match(in Input) (tri, *Reason) {
	return boolTri(m.set.hasAny(in.Identity.AMR)), nil
}
