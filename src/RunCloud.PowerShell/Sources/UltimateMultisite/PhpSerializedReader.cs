using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// A strict, bounded reader of PHP's serialize() format for the values WordPress options hold: N; b:0/1; i:; d:;
    /// s:len:"..."; (len counts UTF-8 bytes, as PHP does) and a:n:{...}. Objects (O:, C:), references (r:, R:) and
    /// enums (E:) are refused rather than guessed; so are a nesting deeper than <see cref="MaxDepth"/>, more than
    /// <see cref="MaxElements"/> values, input over <see cref="MaxBytes"/> and anything after the value. Arrays come back
    /// as ordered lists of key/value pairs (keys are long or string, as PHP keeps them); nothing is ever executed.
    /// </summary>
    internal sealed class PhpSerializedReader
    {
        public const int MaxDepth = 16;
        public const int MaxElements = 100_000;
        public const int MaxBytes = 4 * 1024 * 1024;

        private readonly byte[] _data;
        private int _pos;
        private int _elements;

        private PhpSerializedReader(byte[] data) => _data = data;

        /// <summary>Reads one serialized value that must span the whole text.</summary>
        /// <exception cref="FormatException">The text is not a serialized value this reader accepts; the message says what and where.</exception>
        public static object? Parse(string text)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            byte[] data = Encoding.UTF8.GetBytes(text);
            if (data.Length > MaxBytes)
            {
                throw new FormatException(string.Format(CultureInfo.InvariantCulture, "the serialized value is {0} bytes, over the {1} this reader accepts", data.Length, MaxBytes));
            }

            var reader = new PhpSerializedReader(data);
            object? value = reader.ReadValue(0);
            if (reader._pos != data.Length) throw reader.Error("unexpected text after the value");
            return value;
        }

        /// <summary>The value of <paramref name="key"/> in a parsed array (string keys; an integer-like key matches its number), or null.</summary>
        public static bool TryGet(object? array, string key, out object? value)
        {
            value = null;
            if (!(array is List<KeyValuePair<object, object?>> pairs)) return false;
            foreach (var pair in pairs)
            {
                if (string.Equals(Convert.ToString(pair.Key, CultureInfo.InvariantCulture), key, StringComparison.Ordinal))
                {
                    value = pair.Value;
                    return true;
                }
            }

            return false;
        }

        private object? ReadValue(int depth)
        {
            if (depth > MaxDepth) throw Error(string.Format(CultureInfo.InvariantCulture, "arrays nested deeper than {0}", MaxDepth));
            if (++_elements > MaxElements) throw Error(string.Format(CultureInfo.InvariantCulture, "more than {0} values", MaxElements));
            if (_pos >= _data.Length) throw Error("the text ends where a value should start");
            char type = (char)_data[_pos];
            switch (type)
            {
                case 'N':
                    _pos++;
                    Expect(';');
                    return null;
                case 'b':
                    _pos++;
                    Expect(':');
                    string b = ReadUntil(';');
                    if (b == "0") return false;
                    if (b == "1") return true;
                    throw Error("a boolean that is neither 0 nor 1");
                case 'i':
                    _pos++;
                    Expect(':');
                    string i = ReadUntil(';');
                    if (!long.TryParse(i, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) throw Error("an integer that is not a number");
                    return l;
                case 'd':
                    _pos++;
                    Expect(':');
                    string d = ReadUntil(';');
                    if (d == "INF") return double.PositiveInfinity;
                    if (d == "-INF") return double.NegativeInfinity;
                    if (d == "NAN") return double.NaN;
                    if (!double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out double dbl)) throw Error("a float that is not a number");
                    return dbl;
                case 's':
                    _pos++;
                    Expect(':');
                    int length = ReadLength(':');
                    Expect('"');
                    if (length > _data.Length - _pos) throw Error("a string longer than the text left");
                    string s;
                    try
                    {
                        s = new UTF8Encoding(false, true).GetString(_data, _pos, length);
                    }
                    catch (DecoderFallbackException)
                    {
                        throw Error("a string whose byte length cuts a character in two (the text was changed after PHP wrote it)");
                    }

                    _pos += length;
                    Expect('"');
                    Expect(';');
                    return s;
                case 'a':
                    _pos++;
                    Expect(':');
                    int count = ReadLength(':');
                    Expect('{');
                    if (count > MaxElements) throw Error(string.Format(CultureInfo.InvariantCulture, "an array of {0} elements", count));
                    var list = new List<KeyValuePair<object, object?>>(Math.Min(count, 1024));
                    for (int n = 0; n < count; n++)
                    {
                        if (_pos < _data.Length && _data[_pos] == '}') throw Error(string.Format(CultureInfo.InvariantCulture, "an array that declares {0} elements but holds {1}", count, n));
                        int keyAt = _pos;
                        object? key = ReadValue(depth + 1);
                        if (!(key is long) && !(key is string))
                        {
                            _pos = keyAt;
                            throw Error("an array key that is not an integer or a string");
                        }

                        list.Add(new KeyValuePair<object, object?>(key!, ReadValue(depth + 1)));
                    }

                    Expect('}');
                    return list;
                case 'O':
                case 'C':
                    throw Error("a PHP object, which this reader does not read (only null, booleans, numbers, strings and arrays)");
                case 'r':
                case 'R':
                    throw Error("a PHP reference, which this reader does not read");
                case 'E':
                    throw Error("a PHP enum, which this reader does not read");
                default:
                    throw Error(string.Format(CultureInfo.InvariantCulture, "an unknown type '{0}'", Printable(type)));
            }
        }

        private int ReadLength(char terminator)
        {
            string text = ReadUntil(terminator);
            if (text.Length == 0 || text.Length > 9 || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n)) throw Error("a length that is not a whole number");
            return n;
        }

        private string ReadUntil(char terminator)
        {
            int start = _pos;
            while (_pos < _data.Length && _data[_pos] != terminator)
            {
                if (_pos - start > 32) throw Error("a number longer than 32 characters");
                _pos++;
            }

            if (_pos >= _data.Length) throw Error(string.Format(CultureInfo.InvariantCulture, "the text ends before '{0}'", terminator));
            string text = Encoding.ASCII.GetString(_data, start, _pos - start);
            _pos++;
            return text;
        }

        private void Expect(char c)
        {
            if (_pos >= _data.Length) throw Error(string.Format(CultureInfo.InvariantCulture, "the text ends where '{0}' should be", c));
            if (_data[_pos] != c) throw Error(string.Format(CultureInfo.InvariantCulture, "'{0}' where '{1}' should be", Printable((char)_data[_pos]), c));
            _pos++;
        }

        private static string Printable(char c) => c < 32 || c > 126 ? "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture) : c.ToString();

        private FormatException Error(string what) =>
            new FormatException(string.Format(CultureInfo.InvariantCulture, "{0} at byte {1}", what, _pos));
    }
}
