package runner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// maxShards bounds --shard: more machines than specs of a group gain nothing.
const maxShards = 64

// Shard is --shard I/N: this process runs the I-th of N parts.
type Shard struct{ Index, Total int }

// ParseShard reads "I/N"; "" is the whole run, 1/1.
func ParseShard(v string) (Shard, error) {
	if v == "" {
		return Shard{1, 1}, nil
	}
	i, n, ok := strings.Cut(v, "/")
	index, err1 := strconv.Atoi(i)
	total, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || total < 1 || total > maxShards || index < 1 || index > total {
		return Shard{}, fmt.Errorf("--shard %q: want I/N with 1 ≤ I ≤ N ≤ %d, as in 2/4", v, maxShards)
	}
	return Shard{index, total}, nil
}

// label is the label of the specs of part i; the Ginkgo label syntax
// allows no "/".
func (s Shard) label(i int) string { return fmt.Sprintf("shard:%d-of-%d", i, s.Total) }

// shardSpecs labels every spec with its part as the tree is built: the k-th
// spec declared goes to part k mod N. Declaration order is the same in every
// process of one binary (Ginkgo's own parallel mode relies on it), so the
// parts are disjoint and together hold every spec; dealing them in turn keeps
// the parts within one spec of each other in size, and spreads each group's
// and each operation's specs (declared together) over all parts, so no part
// gets all the slow scenarios of one group. It returns the function that
// stops the labelling.
func shardSpecs(s Shard) func() {
	k := 0
	return ginkgo.AddTreeConstructionNodeArgsTransformer(func(nt types.NodeType, _ ginkgo.Offset, text string, args []any) (string, []any, []error) {
		if nt != types.NodeTypeIt {
			return text, args, nil
		}
		part := k%s.Total + 1
		k++
		return text, append(args, ginkgo.Label(s.label(part))), nil
	})
}
