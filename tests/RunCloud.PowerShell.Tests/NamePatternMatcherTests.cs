using System;
using System.Text;
using System.Text.RegularExpressions;
using RunCloud.PowerShell.Input;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// NamePattern matches '*' and '?' over ASCII by hand (no Regex in a scheduled run's default -ProtectedName); these
    /// cases hold it to the regular expression it replaces, on generated patterns and names, and on the cases that matter.
    /// </summary>
    public class NamePatternMatcherTests
    {
        [Theory]
        [InlineData("*.runcloud.link", "shop.runcloud.link", true)]
        [InlineData("*.runcloud.link", "a.b.RUNCLOUD.Link", true)]
        [InlineData("*.runcloud.link", "runcloud.link", false)]
        [InlineData("*.runcloud.link", "a.runcloud.link.evil.com", false)]
        [InlineData("*.runcloud.link", "a.runcloud-link", false)]
        [InlineData("shop?.example.com", "shop1.example.com", true)]
        [InlineData("shop?.example.com", "shop.example.com", false)]
        [InlineData("*a*b", "xxaxxbxxb", true)]
        [InlineData("*a*b", "xxaxxbxxa", false)]
        [InlineData("**", "", true)]
        [InlineData("a*", "A", true)]
        [InlineData("*.example.com", "*.example.com", true)]
        public void WildcardsMatchAsTheExpressionDid(string pattern, string name, bool expected)
        {
            Assert.Equal(expected, new NamePattern.Matcher(pattern, literal: false).IsMatch(name));
            Assert.Equal(expected, NamePattern.GlobRegex(pattern).IsMatch(name));
        }

        [Fact]
        public void HandMatcherAgreesWithTheExpressionOnGeneratedPatternsAndNames()
        {
            // Mostly the hand-matched alphabet, with now and then what goes to the expression (a class, Unicode, a line break).
            const string patternChars = "ab.-*?*AqZ0 ";
            const string nameChars = "abAB.-qz0Z ";
            string[] rare = { "[ab]", "ü", "Ü", "\u212A", "k", "K", "\n", "[!a]" };
            var random = new Random(20261208);
            for (int i = 0; i < 20000; i++)
            {
                string pattern = Build(random, patternChars, rare, random.Next(0, 9));
                string name = Build(random, nameChars, rare, random.Next(0, 12));
                bool byExpression = NamePattern.GlobRegex(pattern).IsMatch(name);
                Assert.True(byExpression == new NamePattern.Matcher(pattern, literal: false).IsMatch(name), $"wildcard '{Escape(pattern)}' against '{Escape(name)}': the expression says {byExpression}");

                string literal = pattern.Replace("*", string.Empty).Replace("?", string.Empty).Replace("[", string.Empty);
                bool sameByExpression = new Regex("^" + Regex.Escape(literal) + "$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase).IsMatch(name);
                Assert.True(sameByExpression == new NamePattern.Matcher(literal, literal: true).IsMatch(name), $"literal '{Escape(literal)}' against '{Escape(name)}': the expression says {sameByExpression}");
                Assert.True(new NamePattern.Matcher(literal, literal: true).IsMatch(literal.ToUpperInvariant()) ==
                    new Regex("^" + Regex.Escape(literal) + "$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase).IsMatch(literal.ToUpperInvariant()));
            }
        }

        [Fact]
        public void ParsedPatternsMatchNamesInBothForms()
        {
            NamePattern link = NamePattern.Parse("*.runcloud.link", "-ProtectedName");
            Assert.True(link.IsMatch("shop.runcloud.link"));
            Assert.False(link.IsMatch("runcloud.link.example.com"));
            NamePattern idn = NamePattern.Parse("bücher.example.com", "-Exclude");
            Assert.True(idn.IsMatch("xn--bcher-kva.example.com"));
            Assert.False(idn.IsMatch("xn--bcher-kva.example.org"));
            NamePattern wildIdn = NamePattern.Parse("*.bücher.example.com", "-Exclude");
            Assert.True(wildIdn.IsMatch("shop.xn--bcher-kva.example.com"));
            NamePattern cls = NamePattern.Parse("shop[12].example.com", "-Exclude");
            Assert.True(cls.IsMatch("shop2.example.com"));
            Assert.False(cls.IsMatch("shop3.example.com"));
        }

        private static string Build(Random random, string common, string[] rare, int length)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < length; i++)
            {
                if (random.Next(40) == 0) sb.Append(rare[random.Next(rare.Length)]);
                else sb.Append(common[random.Next(common.Length)]);
            }

            return sb.ToString();
        }

        private static string Escape(string text) => text.Replace("\n", "\\n");
    }
}
