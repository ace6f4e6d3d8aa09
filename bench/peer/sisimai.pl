#!/usr/bin/perl
# sisimai.pl - the peer: Sisimai's own text classifier on the same reply texts
# In:  the dump of bench_classify (path#index, expected, stage, text) and
#      the seconds to time. Uses Debian's libsisimai-perl: Sisimai::Reason->match
#      is Sisimai's classifier for a bare error text (no bounce parsing), the
#      same job as sdx_classify on a reply.
# Out: agreement with the corpus expectations and replies/s on one core.
use strict;
use warnings;
use Time::HiRes qw(time);
use Sisimai;
use Sisimai::Reason;

my ($file, $seconds) = @ARGV;
$seconds ||= 3;
die "usage: sisimai.pl DUMP [SECONDS]\n" unless $file;
my %alias = (speeding => 'ratelimited', toomanyconn => 'ratelimited',
             mesgtoobig => 'emailtoolarge', exceedlimit => 'emailtoolarge');
my (@texts, @want);
open my $fh, '<', $file or die "cannot open $file: $!\n";
while (my $line = <$fh>) {
    chomp $line;
    my ($id, $want, $stage, $text) = split /\t/, $line, 4;
    next unless defined $text;
    $text =~ s/\\(n|t|\\)/$1 eq 'n' ? "\n" : $1 eq 't' ? "\t" : "\\"/ge;
    push @texts, $text;
    push @want, $alias{$want} // $want;
}
close $fh;
my ($ok, $n) = (0, scalar @texts);
for my $i (0 .. $#texts) {
    my $got = Sisimai::Reason->match($texts[$i]) // 'undefined';
    $got = $alias{$got} // $got;
    $ok++ if $got eq $want[$i];
}
printf "sisimai %s Sisimai::Reason->match: agreement on the same %d texts: %d = %.1f%%\n",
    $Sisimai::VERSION, $n, $ok, $n ? 100 * $ok / $n : 0;
my ($count, $t0) = (0, time);
my $t1 = $t0;
while ($t1 - $t0 < $seconds) {
    Sisimai::Reason->match($_) for @texts;
    $count += $n;
    $t1 = time;
}
printf "sisimai throughput: %d replies in %.2f s = %.0f replies/s (one core)\n",
    $count, $t1 - $t0, $count / ($t1 - $t0);
