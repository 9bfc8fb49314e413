using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Sources.UltimateMultisite;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>The strict, bounded PHP unserialize reader and UM's settings option. In the MariaDB collection only to run
    /// apart from the heap-measuring tests: the size-bound case builds a 4 MB value.</summary>
    [Collection(MariaDbCollection.Name)]
    public class PhpSerializedReaderTests
    {
        [Fact]
        public void ReadsUmsSettingsArray()
        {
            object? v = PhpSerializedReader.Parse("a:2:{s:25:\"auto_create_www_subdomain\";s:6:\"always\";s:21:\"enable_domain_mapping\";b:1;}");
            Assert.True(PhpSerializedReader.TryGet(v, "auto_create_www_subdomain", out object? www));
            Assert.Equal("always", www);
            Assert.True(PhpSerializedReader.TryGet(v, "enable_domain_mapping", out object? on));
            Assert.Equal(true, on);
        }

        [Fact]
        public void ReadsEveryScalarAndNestedArrays_LengthsInUtf8Bytes()
        {
            object? v = PhpSerializedReader.Parse("a:6:{i:0;N;i:1;i:-42;i:2;d:0.5;s:1:\"x\";s:3:\"€\";s:1:\"n\";a:1:{i:7;b:0;}i:9;s:0:\"\";}");
            var list = Assert.IsType<List<KeyValuePair<object, object?>>>(v);
            Assert.Null(list[0].Value);
            Assert.Equal(-42L, list[1].Value);
            Assert.Equal(0.5, list[2].Value);
            Assert.Equal("€", list[3].Value);
            Assert.Equal(false, ((List<KeyValuePair<object, object?>>)list[4].Value!)[0].Value);
            Assert.Equal(7L, ((List<KeyValuePair<object, object?>>)list[4].Value!)[0].Key);
            Assert.Equal(string.Empty, list[5].Value);
        }

        [Theory]
        [InlineData("O:8:\"stdClass\":0:{}", "object")]
        [InlineData("C:3:\"Foo\":0:{}", "object")]
        [InlineData("a:1:{i:0;r:1;}", "reference")]
        [InlineData("E:7:\"Foo:Bar\";", "enum")]
        [InlineData("s:5:\"abc\";", "should be")]
        [InlineData("s:9:\"abc\";", "longer than the text")]
        [InlineData("s:2:\"abc\";", "where '\"' should be")]
        [InlineData("a:2:{i:0;i:1;}", "declares 2 elements but holds 1")]
        [InlineData("b:2;", "neither 0 nor 1")]
        [InlineData("i:12x;", "not a number")]
        [InlineData("s:3:\"abc\";junk", "after the value")]
        [InlineData("a:1:{d:1.5;i:1;}", "key that is not")]
        [InlineData("x:1;", "unknown type")]
        [InlineData("", "ends where a value should start")]
        [InlineData("s:2:\"€\";", "cuts a character")]
        public void RefusesWhatItCannotReadWithAClearError(string text, string expected)
        {
            var ex = Assert.Throws<FormatException>(() => PhpSerializedReader.Parse(text));
            Assert.Contains(expected, ex.Message);
            Assert.Contains("at byte", ex.Message);
        }

        [Fact]
        public void DepthAndSizeAreBounded()
        {
            string deep = string.Concat(Enumerable.Repeat("a:1:{i:0;", 40)) + "N;" + new string('}', 40);
            Assert.Contains("deeper", Assert.Throws<FormatException>(() => PhpSerializedReader.Parse(deep)).Message);
            Assert.Contains("elements", Assert.Throws<FormatException>(() => PhpSerializedReader.Parse("a:999999999:{}")).Message);
            string big = "s:" + (PhpSerializedReader.MaxBytes + 1) + ":\"" + new string('x', PhpSerializedReader.MaxBytes + 1) + "\";";
            Assert.Contains("over the", Assert.Throws<FormatException>(() => PhpSerializedReader.Parse(big)).Message);
        }

        [Theory]
        [InlineData(null, UmWwwPolicy.Always)]
        [InlineData("", UmWwwPolicy.Always)]
        [InlineData("a:0:{}", UmWwwPolicy.Always)]
        [InlineData("a:1:{s:25:\"auto_create_www_subdomain\";s:0:\"\";}", UmWwwPolicy.Always)]
        [InlineData("a:1:{s:25:\"auto_create_www_subdomain\";s:9:\"main_only\";}", UmWwwPolicy.MainOnly)]
        [InlineData("a:1:{s:25:\"auto_create_www_subdomain\";s:5:\"never\";}", UmWwwPolicy.Never)]
        public void TheWwwPolicyComesFromTheSettings(string? text, UmWwwPolicy expected) =>
            Assert.Equal(expected, UmSettings.WwwPolicy(text, "wp_sitemeta"));

        [Theory]
        [InlineData("a:1:{s:25:\"auto_create_www_subdomain\";s:9:\"sometimes\";}", "sometimes")]
        [InlineData("O:8:\"stdClass\":0:{}", "cannot be read")]
        [InlineData("s:3:\"abc\";", "not a PHP array")]
        public void UnreadableSettingsAreATypedError(string text, string expected)
        {
            var ex = Assert.Throws<UmReadException>(() => UmSettings.WwwPolicy(text, "wp_sitemeta (network 1)"));
            Assert.Equal(UmReadFailure.UnreadableData, ex.Failure);
            Assert.Contains(expected, ex.Message);
            Assert.Contains("wp_sitemeta (network 1)", ex.Message);
        }
    }
}
