//! Small-cell suppression, shared by every report that publishes counts of incidents
//! (`dashrisk summarise`, and the per-group figures of `dashrisk evaluate`).
//!
//! A table is a set of counts ([`Grid::cell`]) tied by additive relations
//! ([`Grid::relate`]: a total and the parts it is the sum of). Some counts are
//! published; others are implied (the incidents *not* referred to MARAC are the
//! call-outs minus those referred) and are cells too, so that a small implied count
//! is protected like a published one.
//!
//! [`Grid::suppress`] then:
//! 1. **Primary suppression.** Every count from 1 to `min_cell - 1` is suppressed.
//!    Zeros are shown.
//! 2. **Secondary suppression**, repeated until nothing changes. In every relation
//!    that holds a suppressed count:
//!    - if it is the only suppressed member, it could be worked back exactly (the
//!      total minus the other parts, or the parts added up): one more member is
//!      suppressed;
//!    - if the total is shown and the suppressed parts together come to fewer than
//!      `min_cell`, their sum (which can be worked out) is itself a small count, and
//!      several suppressed parts of 1 could be pinned down: one more member is
//!      suppressed.
//!
//!    The member chosen is an implied count if there is one (hiding it costs the
//!    reader nothing), else the smallest non-zero published part, else the total.
//!    A cell that is the only non-zero part of another sum whose members are all
//!    shown is that sum's total less zeros: withholding it protects nothing until
//!    the total goes too. It is chosen only when nothing else will do. (Taking it
//!    withheld a group of 150 records all labelled abuse, and a second group, with
//!    no small count in either (the evaluation review, finding 7). The group's
//!    "not parental conflict" count was the smallest complement to stand beside
//!    another officer's withheld one, and with a conflict count of 0 it was the
//!    group's size, so the size was withheld with it.)
//! 3. **The exact check.** Step 2 protects each relation on its own; several
//!    relations together can still pin a withheld count down. The shown counts are
//!    solved exactly for every withheld count; where one is determined, one more
//!    cell is withheld, and steps 2 and 3 are repeated.
//!
//! The rules are the usual ones of statistical disclosure control (for example the
//! ONS guidance on tables of counts). The property tests in `tests/suppression.rs`
//! check the result with an independent solver: no suppressed count is determined by
//! the published counts, and no relation's hidden parts add up to a small count.

/// Why a count is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Shown.
    Shown,
    /// From 1 to `min_cell - 1`.
    Small,
    /// Hidden so that a small count cannot be worked back.
    Secondary,
}

impl Status {
    /// Whether the count is withheld.
    pub fn suppressed(self) -> bool {
        self != Status::Shown
    }
}

/// A table of counts and the additive relations between them.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    values: Vec<u64>,
    published: Vec<bool>,
    public: Vec<bool>,
    relations: Vec<(usize, Vec<usize>)>,
}

/// The outcome of [`Grid::suppress`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// The status of every cell, by the index [`Grid::cell`] returned.
    pub status: Vec<Status>,
    /// The minimum cell size applied.
    pub min_cell: u64,
}

impl Suppressed {
    /// Whether cell `i` is withheld.
    pub fn is_suppressed(&self, i: usize) -> bool {
        self.status[i].suppressed()
    }

    /// The cell's count if shown.
    pub fn shown(&self, grid: &Grid, i: usize) -> Option<u64> {
        (!self.is_suppressed(i)).then(|| grid.values[i])
    }
}

impl Grid {
    /// An empty table.
    pub fn new() -> Grid {
        Grid::default()
    }

    /// Adds a count; `published` says whether any output shows it (an implied count,
    /// such as a complement, is not). Returns its index.
    pub fn cell(&mut self, value: u64, published: bool) -> usize {
        self.values.push(value);
        self.published.push(published);
        self.public.push(false);
        self.values.len() - 1
    }

    /// Adds a count that is published elsewhere without suppression (an overall
    /// total the report states in full, or one worked back from such totals): it is
    /// never withheld, even when small, and the counts it sums are protected
    /// against it. Returns its index.
    pub fn public_cell(&mut self, value: u64) -> usize {
        let i = self.cell(value, true);
        self.public[i] = true;
        i
    }

    /// Records that cell `total` is the sum of cells `parts`.
    ///
    /// The caller keeps the sums true; [`Grid::check`] verifies them.
    pub fn relate(&mut self, total: usize, parts: Vec<usize>) {
        self.relations.push((total, parts));
    }

    /// The first relation whose parts do not add up to its total, if any.
    pub fn check(&self) -> Result<(), String> {
        for (total, parts) in &self.relations {
            let sum: u64 = parts.iter().map(|&p| self.values[p]).sum();
            if sum != self.values[*total] {
                return Err(format!(
                    "cell {total} is {} but its parts add up to {sum}",
                    self.values[*total]
                ));
            }
        }
        Ok(())
    }

    /// Applies primary and secondary suppression with the minimum cell size
    /// `min_cell` (the module documentation gives the rules). `min_cell` of 0 or 1
    /// suppresses nothing.
    pub fn suppress(&self, min_cell: u64) -> Suppressed {
        let mut status: Vec<Status> = self
            .values
            .iter()
            .zip(&self.public)
            .map(|(&v, &public)| {
                if v >= 1 && v < min_cell && !public {
                    Status::Small
                } else {
                    Status::Shown
                }
            })
            .collect();
        // Relations by cell, so that a change re-examines only the relations it touches.
        let mut by_cell: Vec<Vec<usize>> = vec![Vec::new(); self.values.len()];
        for (r, (total, parts)) in self.relations.iter().enumerate() {
            by_cell[*total].push(r);
            for &p in parts {
                by_cell[p].push(r);
            }
        }
        let mut queue: Vec<usize> = (0..self.relations.len()).collect();
        loop {
            self.propagate(&mut status, min_cell, &by_cell, queue);
            // The heuristic protects each relation on its own; several relations
            // together can still pin a count down. Solve, and widen where they do.
            // One cell at a time: withholding it may protect the others too.
            let exposed = self.determined_protected(&status);
            let mut widened = Vec::new();
            for x in exposed {
                if let Some(p) = self.widen(x, &status, &by_cell) {
                    status[p] = Status::Secondary;
                    widened.push(p);
                    break;
                }
            }
            if widened.is_empty() {
                break;
            }
            queue = widened
                .iter()
                .flat_map(|&p| by_cell[p].iter().copied())
                .collect();
        }
        Suppressed { status, min_cell }
    }

    /// The cell to withhold so that the determined cell `x` has one more unknown
    /// beside it: from the relations that hold `x`, else (when every member of
    /// those is already withheld or zero) from the relations one unknown further
    /// out, and so on.
    fn widen(&self, x: usize, status: &[Status], by_cell: &[Vec<usize>]) -> Option<usize> {
        self.widen_with(x, status, by_cell, false)
            .or_else(|| self.widen_with(x, status, by_cell, true))
    }

    /// [`Grid::widen`], with or without zero cells as candidates.
    fn widen_with(
        &self,
        x: usize,
        status: &[Status],
        by_cell: &[Vec<usize>],
        zeros: bool,
    ) -> Option<usize> {
        let unknown = |i: usize| status[i].suppressed() || !self.published[i];
        let mut seen_rel = vec![false; self.relations.len()];
        let mut seen_cell = vec![false; self.values.len()];
        let mut frontier = vec![x];
        seen_cell[x] = true;
        while !frontier.is_empty() {
            let rels: Vec<usize> = frontier
                .iter()
                .flat_map(|&c| by_cell[c].iter().copied())
                .filter(|&r| !std::mem::replace(&mut seen_rel[r], true))
                .collect();
            let best = rels
                .iter()
                .filter_map(|&r| self.pick(r, status, by_cell, zeros).map(|p| (r, p)))
                .min_by_key(|&(r, p)| (self.values[p], r));
            if let Some((_, p)) = best {
                return Some(p);
            }
            frontier.clear();
            for &r in &rels {
                let (total, parts) = &self.relations[r];
                for &c in parts.iter().chain(std::iter::once(total)) {
                    if unknown(c) && !seen_cell[c] {
                        seen_cell[c] = true;
                        frontier.push(c);
                    }
                }
            }
        }
        None
    }

    /// Secondary suppression relation by relation, until nothing changes.
    fn propagate(
        &self,
        status: &mut [Status],
        min_cell: u64,
        by_cell: &[Vec<usize>],
        mut queue: Vec<usize>,
    ) {
        let mut queued = vec![false; self.relations.len()];
        for &r in &queue {
            queued[r] = true;
        }
        while let Some(r) = queue.pop() {
            queued[r] = false;
            let (total, parts) = &self.relations[r];
            let hidden = |i: usize| status[i].suppressed();
            let hidden_parts: Vec<usize> = parts.iter().copied().filter(|&p| hidden(p)).collect();
            let n_hidden = hidden_parts.len() + usize::from(hidden(*total));
            if n_hidden == 0 {
                continue;
            }
            let hidden_sum: u64 = hidden_parts.iter().map(|&p| self.values[p]).sum();
            // Withheld parts that add up to 0 reveal only zeros.
            let exposed =
                n_hidden == 1 || (!hidden(*total) && hidden_sum > 0 && hidden_sum < min_cell);
            if !exposed {
                continue;
            }
            let public = self.public[*total] || parts.iter().any(|&p| self.public[p]);
            let Some(pick) = self
                .pick(r, status, by_cell, false)
                .or_else(|| self.pick(r, status, by_cell, public).filter(|_| public))
            else {
                continue;
            };
            status[pick] = Status::Secondary;
            // The sums the new cell is in (this one among them) are looked at again:
            // they may now have one withheld member. Without this the solver below
            // would still find what is exposed; this only saves it the work.
            for &r2 in &by_cell[pick] {
                if !queued[r2] {
                    queued[r2] = true;
                    queue.push(r2);
                }
            }
        }
    }

    /// The withheld cells that the relations and the shown counts determine
    /// exactly: those whose unit vector is in the span of the relations restricted
    /// to the unknown cells (exact integer elimination, [`Span`]).
    fn determined_protected(&self, status: &[Status]) -> Vec<usize> {
        let unknown = |i: usize| status[i].suppressed() || !self.published[i];
        // Implied cells get the lowest column numbers, so that they are eliminated
        // first and the rows stay short.
        let mut order: Vec<usize> = (0..self.values.len()).filter(|&i| unknown(i)).collect();
        order.sort_by_key(|&i| (self.published[i], i));
        let mut col = vec![usize::MAX; self.values.len()];
        for (c, &i) in order.iter().enumerate() {
            col[i] = c;
        }
        let mut span = Span::default();
        for (total, parts) in &self.relations {
            let mut row: Vec<(usize, i128)> = Vec::new();
            if unknown(*total) {
                row.push((col[*total], 1));
            }
            for &p in parts {
                if unknown(p) {
                    row.push((col[p], -1));
                }
            }
            // One cell can stand in a sum twice (a figure shown as another's cell):
            // its terms are added up, so that a row never holds a column twice.
            row.sort_unstable_by_key(|e| e.0);
            row.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    kept.1 += later.1;
                }
                same
            });
            row.retain(|e| e.1 != 0);
            if !row.is_empty() {
                span.insert(row);
            }
        }
        (0..self.values.len())
            .filter(|&i| status[i].suppressed() && span.contains(vec![(col[i], 1)]))
            .collect()
    }
    /// The member of a relation to suppress next: a non-zero shown cell, an implied
    /// one first, then the smallest published part, then the total; never a public
    /// cell. With `zeros`, when there is none, a zero part (withholding a zero
    /// costs the reader little, and a public total over one withheld part would
    /// otherwise give it away): in propagation only for relations with a public
    /// member, and in widening only when no non-zero cell can be reached.
    ///
    /// Each tier first passes over cells that another shown sum pins to its total
    /// ([`Grid::pinned`]).
    fn pick(
        &self,
        r: usize,
        status: &[Status],
        by_cell: &[Vec<usize>],
        zeros: bool,
    ) -> Option<usize> {
        let (total, parts) = &self.relations[r];
        let total = *total;
        let nonzero = |avoid_pinned: bool| {
            let passed_over = |i: usize| avoid_pinned && self.pinned(i, r, status, by_cell);
            let open = |i: &usize| {
                !status[*i].suppressed()
                    && !self.public[*i]
                    && self.values[*i] > 0
                    && !passed_over(*i)
            };
            let implied = parts
                .iter()
                .chain(std::iter::once(&total))
                .filter(|i| open(i) && !self.published[**i])
                .min_by_key(|&&i| (self.values[i], i))
                .copied();
            implied
                .or_else(|| {
                    parts
                        .iter()
                        .filter(|i| open(i))
                        .min_by_key(|&&i| (self.values[i], i))
                        .copied()
                })
                .or_else(|| open(&total).then_some(total))
        };
        nonzero(true).or_else(|| nonzero(false)).or_else(|| {
            parts
                .iter()
                .find(|&&i| zeros && !status[i].suppressed() && !self.public[i])
                .copied()
        })
    }

    /// Whether cell `i` is the only non-zero part of a sum other than relation
    /// `r` whose total and other parts are all shown: it is that total less shown
    /// zeros, so withholding it protects nothing until the total is withheld too
    /// (a group's "not parental conflict" count, when its conflict count is 0, is
    /// its size).
    fn pinned(&self, i: usize, r: usize, status: &[Status], by_cell: &[Vec<usize>]) -> bool {
        by_cell[i].iter().any(|&r2| {
            let (t2, p2) = &self.relations[r2];
            // A sum of one part is another name for its total, not a total less
            // zeros: a cross-table cell of an officer who works in one area.
            r2 != r
                && p2.len() > 1
                && p2.contains(&i)
                && *t2 != i
                && !status[*t2].suppressed()
                && p2
                    .iter()
                    .all(|&q| q == i || (!status[q].suppressed() && self.values[q] == 0))
        })
    }
}

/// The row space of a set of integer vectors, kept in echelon form: each stored
/// row's first column is its pivot, and no two rows share a pivot. Exact (i128,
/// rows divided by their common factor), so no rounding decides a disclosure.
#[derive(Debug, Default)]
struct Span {
    rows: std::collections::BTreeMap<usize, Vec<(usize, i128)>>,
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `a * x - b * y` for sparse rows sorted by column, dropping zeros.
fn combine(x: &[(usize, i128)], a: i128, y: &[(usize, i128)], b: i128) -> Vec<(usize, i128)> {
    let mut out = Vec::with_capacity(x.len() + y.len());
    let (mut i, mut j) = (0, 0);
    loop {
        let (c, v) = match (x.get(i), y.get(j)) {
            (Some(&(cx, vx)), Some(&(cy, _))) if cx < cy => {
                i += 1;
                (cx, a * vx)
            }
            (Some(&(cx, _)), Some(&(cy, vy))) if cy < cx => {
                j += 1;
                (cy, -b * vy)
            }
            (Some(&(cx, vx)), Some(&(_, vy))) => {
                i += 1;
                j += 1;
                (cx, a * vx - b * vy)
            }
            (Some(&(cx, vx)), None) => {
                i += 1;
                (cx, a * vx)
            }
            (None, Some(&(cy, vy))) => {
                j += 1;
                (cy, -b * vy)
            }
            (None, None) => break,
        };
        if v != 0 {
            out.push((c, v));
        }
    }
    let g = out.iter().fold(0, |g, &(_, v)| gcd(g, v));
    if g > 1 {
        for e in &mut out {
            e.1 /= g;
        }
    }
    out
}

impl Span {
    /// Reduces `v` by the stored rows; what is left has no stored pivot first.
    fn reduce(&self, mut v: Vec<(usize, i128)>) -> Vec<(usize, i128)> {
        v.sort_unstable_by_key(|e| e.0);
        while let Some(&(c, a)) = v.first() {
            let Some(row) = self.rows.get(&c) else {
                break;
            };
            let p = row[0].1;
            v = combine(&v, p, row, a);
        }
        v
    }

    fn insert(&mut self, v: Vec<(usize, i128)>) {
        let v = self.reduce(v);
        if let Some(&(c, _)) = v.first() {
            self.rows.insert(c, v);
        }
    }

    /// Whether `v` is in the span. A residue whose first column is not a pivot can
    /// still be reduced further on later columns only through rows whose pivots it
    /// lacks, so a non-empty residue means not in the span.
    fn contains(&self, v: Vec<(usize, i128)>) -> bool {
        self.reduce(v).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_small_cell_takes_a_second_with_it() {
        let mut g = Grid::new();
        let a = g.cell(3, true);
        let b = g.cell(40, true);
        let c = g.cell(55, true);
        let t = g.cell(98, true);
        g.relate(t, vec![a, b, c]);
        let s = g.suppress(10);
        assert_eq!(s.status[a], Status::Small);
        assert_eq!(s.status[b], Status::Secondary, "the smallest other part");
        assert_eq!(s.status[c], Status::Shown);
        assert_eq!(s.status[t], Status::Shown);
    }

    /// The review's finding 7 in small: three groups, each with its size, one
    /// figure and the figure's implied complement; the overall figure, complement
    /// and size are public. Groups 1 and 3 have small figures; group 2 has none
    /// (figure 0, so its complement is its whole size, 30). The complements of
    /// groups 1 and 3 are withheld beside their figures; group 2 has nothing
    /// small and keeps everything. (Before, the first complement withheld, alone in
    /// the public sum of complements, took group 2's, the smallest, and that could
    /// only be kept unknown by withholding group 2's size, and then another size.)
    #[test]
    fn a_group_with_no_small_count_keeps_its_size_when_its_figure_is_zero() {
        let mut g = Grid::new();
        let sizes = [40, 30, 50];
        let figures = [5, 0, 6];
        let n_total = g.public_cell(120);
        let f_total = g.public_cell(11);
        let c_total = g.public_cell(109);
        let n: Vec<usize> = sizes.iter().map(|&v| g.cell(v, true)).collect();
        let f: Vec<usize> = figures.iter().map(|&v| g.cell(v, true)).collect();
        let c: Vec<usize> = (0..3)
            .map(|k| g.cell(sizes[k] - figures[k], false))
            .collect();
        // In the order the evaluation relates them: the sum of complements comes
        // last, so it is looked at first, when one complement is withheld.
        g.relate(n_total, n.clone());
        g.relate(f_total, f.clone());
        for k in 0..3 {
            g.relate(n[k], vec![f[k], c[k]]);
        }
        g.relate(c_total, c.clone());
        assert!(g.check().is_ok());
        let s = g.suppress(10);
        assert_eq!(
            (s.status[f[0]], s.status[f[2]]),
            (Status::Small, Status::Small)
        );
        assert_eq!(
            (s.status[c[0]], s.status[c[2]]),
            (Status::Secondary, Status::Secondary)
        );
        for i in [n[0], n[1], n[2], f[1], c[1]] {
            assert_eq!(s.status[i], Status::Shown, "cell {i}");
        }
        assert!(g.determined_protected(&s.status).is_empty());
    }

    #[test]
    fn an_implied_complement_is_hidden_before_a_published_count() {
        let mut g = Grid::new();
        let yes = g.cell(2, true);
        let no = g.cell(60, false);
        let n = g.cell(62, true);
        g.relate(n, vec![yes, no]);
        let s = g.suppress(10);
        assert_eq!(s.status[yes], Status::Small);
        assert_eq!(s.status[no], Status::Secondary);
        assert_eq!(s.status[n], Status::Shown);
    }

    #[test]
    fn a_small_implied_count_hides_the_published_one() {
        // 12 call-outs, 10 referred: the 2 not referred could be worked out.
        let mut g = Grid::new();
        let yes = g.cell(10, true);
        let no = g.cell(2, false);
        let n = g.cell(12, true);
        g.relate(n, vec![yes, no]);
        let s = g.suppress(10);
        assert!(s.is_suppressed(no));
        assert!(
            s.is_suppressed(yes),
            "the published count would give it away"
        );
        assert!(!s.is_suppressed(n));
    }

    #[test]
    fn hidden_parts_adding_up_to_a_small_count_hide_one_more() {
        // 1 + 1 hidden under a shown total would pin both at 1.
        let mut g = Grid::new();
        let a = g.cell(1, true);
        let b = g.cell(1, true);
        let c = g.cell(30, true);
        let d = g.cell(40, true);
        let t = g.cell(72, true);
        g.relate(t, vec![a, b, c, d]);
        let s = g.suppress(10);
        assert!(s.is_suppressed(a) && s.is_suppressed(b));
        assert_eq!(s.status[c], Status::Secondary);
        assert!(!s.is_suppressed(d));
    }

    #[test]
    fn hidden_parts_adding_up_to_the_minimum_take_nothing_more() {
        let mut g = Grid::new();
        let a = g.cell(5, true);
        let b = g.cell(5, true);
        let c = g.cell(30, true);
        let t = g.cell(40, true);
        g.relate(t, vec![a, b, c]);
        let s = g.suppress(10);
        assert!(s.is_suppressed(a) && s.is_suppressed(b));
        assert_eq!((s.status[c], s.status[t]), (Status::Shown, Status::Shown));
    }

    #[test]
    fn a_zero_is_never_withheld_to_protect_another_cell() {
        let mut g = Grid::new();
        let a = g.cell(3, true);
        let z = g.cell(0, true);
        let c = g.cell(40, true);
        let t = g.cell(43, true);
        g.relate(t, vec![a, z, c]);
        let s = g.suppress(10);
        assert_eq!(s.status[z], Status::Shown);
        assert_eq!(s.status[c], Status::Secondary);
    }

    /// Three sums, each with two withheld parts, still pin the small cell down
    /// together (x + y, x + w and y + w known give x): the solver finds it and one
    /// more cell is withheld, from a sum that holds it.
    #[test]
    fn sums_that_pin_a_cell_down_together_are_widened() {
        let mut g = Grid::new();
        let x = g.cell(3, true);
        let y = g.cell(15, true);
        let w = g.cell(12, true);
        let (a, b, c) = (g.cell(50, true), g.cell(60, true), g.cell(70, true));
        let t1 = g.cell(68, true);
        let t2 = g.cell(75, true);
        let t3 = g.cell(97, true);
        g.relate(t1, vec![x, y, a]);
        g.relate(t2, vec![x, w, b]);
        g.relate(t3, vec![y, w, c]);
        assert!(g.check().is_ok());
        // Relation by relation alone, every sum has two withheld parts.
        let mut status = vec![Status::Shown; g.values.len()];
        status[x] = Status::Small;
        status[y] = Status::Secondary;
        status[w] = Status::Secondary;
        assert!(g.determined_protected(&status).contains(&x));
        let s = g.suppress(10);
        let hidden: Vec<usize> = (0..g.values.len())
            .filter(|&i| s.is_suppressed(i))
            .collect();
        assert_eq!(
            hidden,
            vec![x, y, w, a],
            "the smallest open part of x's first sum"
        );
        assert!(g.determined_protected(&s.status).is_empty());
    }

    #[test]
    fn widening_reaches_past_sums_with_nothing_left_to_withhold() {
        // x's own sum has no open cell (its other part is withheld, the rest zero);
        // the cell to withhold is found one unknown further out, through the
        // withheld total, not through the shown zero (whose other sum has a
        // smaller cell that would not help).
        let mut g = Grid::new();
        let x = g.cell(2, true);
        let y = g.cell(4, true);
        let z = g.cell(0, true);
        let t = g.cell(6, false);
        let k = g.cell(30, true);
        let u = g.cell(36, true);
        let m = g.cell(5, true);
        let v = g.cell(5, true);
        g.relate(t, vec![x, y, z]);
        g.relate(u, vec![t, k]);
        g.relate(v, vec![z, m]);
        let mut status = vec![Status::Shown; g.values.len()];
        for i in [x, y, t] {
            status[i] = Status::Small;
        }
        let by_cell = vec![
            vec![0],
            vec![0],
            vec![0, 2],
            vec![0, 1],
            vec![1],
            vec![1],
            vec![2],
            vec![2],
        ];
        assert_eq!(g.widen(x, &status, &by_cell), Some(k));
    }

    /// A cell that is the total of one sum and a part of another: x = y + w and
    /// t = x + y, with t known through u = t + k, give x + y and x − y, so both.
    #[test]
    fn totals_and_parts_are_told_apart_in_the_solver() {
        let mut g = Grid::new();
        let y = g.cell(3, true);
        let w = g.cell(4, true);
        let x = g.cell(7, true);
        let t = g.cell(10, false);
        let k = g.cell(20, true);
        let u = g.cell(30, true);
        g.relate(x, vec![y, w]);
        g.relate(t, vec![x, y]);
        g.relate(u, vec![t, k]);
        assert!(g.check().is_ok());
        let mut status = vec![Status::Shown; g.values.len()];
        status[x] = Status::Small;
        status[y] = Status::Small;
        let found = g.determined_protected(&status);
        assert!(found.contains(&x) && found.contains(&y), "{found:?}");
        // And the whole method leaves nothing determined.
        let s = g.suppress(10);
        assert!(g.determined_protected(&s.status).is_empty());
    }

    #[test]
    fn rows_are_kept_in_lowest_terms() {
        assert_eq!(combine(&[(0, 2), (1, 4)], 1, &[], 0), vec![(0, 1), (1, 2)]);
        assert_eq!(
            combine(&[(0, 3), (2, 6)], 2, &[(0, 3), (1, 3)], 2),
            vec![(1, -1), (2, 2)]
        );
        assert_eq!(gcd(-12, 18), 6);
        // A column of x alone, then of both, then of y alone.
        assert_eq!(
            combine(&[(0, 2), (1, 5)], 3, &[(1, 1)], 1),
            vec![(0, 3), (1, 7)]
        );
        assert_eq!(combine(&[(0, 1)], 1, &[(0, 1), (2, 3)], 1), vec![(2, -1)]);
    }

    #[test]
    fn the_span_knows_what_its_rows_determine() {
        let mut span = Span::default();
        span.insert(vec![(0, 1), (1, -1)]); // x0 - x1
        span.insert(vec![(1, 1), (2, 1)]); // x1 + x2
        assert!(!span.contains(vec![(0, 1)]));
        assert!(
            span.contains(vec![(0, 1), (2, 1)]),
            "x0 + x2 = (x0 - x1) + (x1 + x2)"
        );
        span.insert(vec![(2, 2)]);
        assert!(span.contains(vec![(0, 1)]), "with x2 known, x0 is too");
    }

    #[test]
    fn zeros_are_shown_and_min_cell_one_suppresses_nothing() {
        let mut g = Grid::new();
        let a = g.cell(0, true);
        let b = g.cell(1, true);
        let t = g.cell(1, true);
        g.relate(t, vec![a, b]);
        assert!(g.suppress(1).status.iter().all(|s| !s.suppressed()));
        let s = g.suppress(10);
        assert!(!s.is_suppressed(a));
        assert!(s.is_suppressed(b) && s.is_suppressed(t));
    }

    /// A sum that holds a cell on both sides (a figure whose cell is another's) is
    /// true of every value and pins nothing down; it must not stall the solver.
    #[test]
    fn a_cell_on_both_sides_of_a_sum_cancels() {
        let mut g = Grid::new();
        let a = g.cell(3, true);
        let b = g.cell(40, true);
        let t = g.cell(43, true);
        g.relate(t, vec![a, b]);
        g.relate(a, vec![a]);
        let s = g.suppress(10);
        assert!(s.is_suppressed(a) && s.is_suppressed(b) && !s.is_suppressed(t));
        assert!(g.determined_protected(&s.status).is_empty());
    }

    #[test]
    fn check_finds_a_wrong_sum() {
        let mut g = Grid::new();
        let a = g.cell(1, true);
        let t = g.cell(2, true);
        g.relate(t, vec![a]);
        assert!(g.check().is_err());
    }

    #[test]
    fn a_public_total_is_never_withheld_and_its_parts_are_protected_against_it() {
        // The total 5 is published elsewhere in full; parts 5 and 0.
        let mut g = Grid::new();
        let t = g.public_cell(5);
        let a = g.cell(5, true);
        let b = g.cell(0, true);
        g.relate(t, vec![a, b]);
        let s = g.suppress(10);
        assert!(!s.is_suppressed(t), "public");
        assert!(s.is_suppressed(a));
        assert!(s.is_suppressed(b), "the zero is withheld too, or a = 5 - 0");
        // Parts 3 and 50 under a public 53: both withheld.
        let mut g = Grid::new();
        let t = g.public_cell(53);
        let a = g.cell(3, true);
        let b = g.cell(50, true);
        g.relate(t, vec![a, b]);
        let s = g.suppress(10);
        assert!(s.is_suppressed(a) && s.is_suppressed(b) && !s.is_suppressed(t));
    }
}
