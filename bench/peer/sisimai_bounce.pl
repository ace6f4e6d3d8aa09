#!/usr/bin/perl
# sisimai_bounce.pl - the peer: Sisimai's own bounce parser on whole messages
# In:  bounce messages, one per file (.eml, optionally with an mbox "From "
#      line). Each file goes through Sisimai->make($path, delivered => 1) as a
#      user would call it (Debian's libsisimai-perl, 4.25.x). In 4.25 ARF
#      feedback and RFC 3834 vacation records are always returned; only
#      "delivered" needs the option (4.25 has no "vacation" option).
# Out: with --tsv, one line per recipient record, tab-separated, no header:
#        path index deliverystatus replycode reason hardbounce feedbacktype recipient
#      index is 1-based in Sisimai's order; a file with no record gets one
#      line with index 0 and empty fields. hardbounce = 1 when 4.25's
#      softbounce is 0, else 0 (as in Sisimai 5). Reasons keep 4.25's names.
#      On stderr: "sisimai messages/s: X" per repetition, then
#      "sisimai median messages/s: X over N runs, M files". Only the parsing
#      (reading the files included, as Sisimai->make does) is timed.
#      Perl warnings raised meanwhile are counted, not printed.
# Usage: perl bench/peer/sisimai_bounce.pl [--repeat N] [--tsv OUT.tsv] FILE...
use strict;
use warnings;
use Getopt::Long qw(GetOptions);
use Time::HiRes qw(time);
use Sisimai;

my ($repeat, $tsv) = (1, undef);
GetOptions('repeat=i' => \$repeat, 'tsv=s' => \$tsv) && @ARGV && $repeat > 0
    or die "usage: $0 [--repeat N] [--tsv OUT.tsv] FILE...\n";
my @files = @ARGV;

# Sisimai may warn on odd input: count the warnings, keep stderr clean.
my ($warnings, $errors) = (0, 0);
$SIG{__WARN__} = sub { $warnings++ };

# Timed part: parse every file, $repeat times; keep the first run's records.
my (@records, @rates);
for my $run (1 .. $repeat) {
    my @got;
    my $t0 = time;
    for my $path (@files) {
        my $list = eval { Sisimai->make($path, 'delivered' => 1) };
        $errors++ if $@;
        push @got, $list || [];
    }
    my $dt = time - $t0;
    @records = @got if $run == 1;
    push @rates, $dt > 0 ? @files / $dt : 0;
    printf STDERR "sisimai messages/s: %.1f\n", $rates[-1];
}

# Untimed: the TSV of the first run.
if (defined $tsv) {
    open my $out, '>', $tsv or die "cannot write $tsv: $!\n";
    for my $i (0 .. $#files) {
        my $list = $records[$i];
        print {$out} join("\t", $files[$i], 0, ('') x 6), "\n" unless @$list;
        my $n = 0;
        for my $r (@$list) {
            my @f = ($files[$i], ++$n, $r->deliverystatus, $r->replycode,
                     $r->reason, ($r->softbounce // '') eq '0' ? 1 : 0,
                     $r->feedbacktype, $r->recipient ? $r->recipient->address : '');
            print {$out} join("\t", map { my $v = $_ // ''; $v =~ tr/\t\r\n/   /; $v } @f), "\n";
        }
    }
    close $out or die "cannot write $tsv: $!\n";
}

my @s = sort { $a <=> $b } @rates;
my $median = @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2;
printf STDERR "sisimai median messages/s: %.1f over %d runs, %d files\n",
    $median, $repeat, scalar @files;
print STDERR "sisimai: $warnings warnings, $errors errors over all runs (not printed)\n" if $warnings || $errors;
