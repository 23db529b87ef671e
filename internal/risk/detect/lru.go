package detect

// lru is a map bounded to a number of entries that forgets the least
// recently used one when full. It is not safe for concurrent use (the
// Detector's lock guards it).
type lru[K comparable, V any] struct {
	max   int
	items map[K]*lruNode[K, V]
	root  lruNode[K, V] // sentinel: root.next is the most recent, root.prev the least
}

type lruNode[K comparable, V any] struct {
	key        K
	val        V
	prev, next *lruNode[K, V]
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	l := &lru[K, V]{max: max, items: map[K]*lruNode[K, V]{}}
	l.root.prev, l.root.next = &l.root, &l.root
	return l
}

func (l *lru[K, V]) len() int { return len(l.items) }

// get returns the value of k and marks it most recently used.
func (l *lru[K, V]) get(k K) (V, bool) {
	n, ok := l.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	l.unlink(n)
	l.pushFront(n)
	return n.val, true
}

// peek returns the value of k without marking it used.
func (l *lru[K, V]) peek(k K) (V, bool) {
	n, ok := l.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	return n.val, true
}

// put sets k to v as the most recently used entry, forgetting the least
// recently used one when the map is full.
func (l *lru[K, V]) put(k K, v V) {
	if n, ok := l.items[k]; ok {
		n.val = v
		l.unlink(n)
		l.pushFront(n)
		return
	}
	if len(l.items) >= l.max {
		old := l.root.prev
		l.unlink(old)
		delete(l.items, old.key)
	}
	n := &lruNode[K, V]{key: k, val: v}
	l.items[k] = n
	l.pushFront(n)
}

func (l *lru[K, V]) unlink(n *lruNode[K, V]) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
}

func (l *lru[K, V]) pushFront(n *lruNode[K, V]) {
	n.prev, n.next = &l.root, l.root.next
	l.root.next.prev = n
	l.root.next = n
}

// each calls fn for every entry, most recent first, without marking any used.
func (l *lru[K, V]) each(fn func(K, V)) {
	for n := l.root.next; n != &l.root; n = n.next {
		fn(n.key, n.val)
	}
}
