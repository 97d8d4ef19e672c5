# The campaign report's plot: seeds per second of every shard, failing seeds and findings by invariant,
# and how often every situation occurred. Input: the files `tether-sim merge --plot-data PREFIX` writes.
#   gnuplot -e "prefix='campaign-out/plot'; output='campaign-out/report.png'" docs/campaign/report.gnuplot
if (!exists("prefix")) prefix = 'plot'
if (!exists("output")) output = prefix . '.png'
set terminal pngcairo size 1400,1500 font ",10" noenhanced
set output output
set multiplot layout 3,1 title "tether-sim campaign: " . prefix
set style fill solid 0.6 border -1
set grid ytics
set key off

set title "Seeds per second, by shard (a slow or failed shard stands out; failed shards show 0)"
set xlabel "shard"
set ylabel "seeds/s"
set boxwidth 0.8
set yrange [0:*]
set xtics 1
set offsets 0.5, 0.5, 0, 0
plot prefix . '-shards.dat' using 1:($7 > 0 ? $5 : 0) with boxes lc rgb "#4477aa"

set title "Violations by invariant: failing seeds (left) and distinct findings (right)"
set xlabel ""
set ylabel "count"
set logscale y
set yrange [0.8:10<*]
set offsets 0, 0, 0, 0
set xtics rotate by -30
set boxwidth 0.4
set key on top right
plot prefix . '-invariants.dat' using ($0 - 0.2):($2 > 0 ? $2 : 0.8):xtic(1) with boxes lc rgb "#cc3311" title "failing seeds", \
     '' using ($0 + 0.2):($3 > 0 ? $3 : 0.8) with boxes lc rgb "#ee7733" title "findings"
unset logscale y
set key off

set title "Coverage: occurrences of every situation (a bar at the bottom was never reached)"
set ylabel "occurrences"
set logscale y
set yrange [0.8:10<*]
set xtics rotate by -45 font ",8"
set boxwidth 0.8
plot prefix . '-coverage.dat' using 0:($2 > 0 ? $2 : 0.8):xtic(1) with boxes lc rgb "#228833"
unset multiplot
