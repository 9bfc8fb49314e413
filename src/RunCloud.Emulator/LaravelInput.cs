using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.Emulator
{
    /// <summary>What kind of body a request carried (recorded, so tests can assert that a client sends clean JSON).</summary>
    public enum RequestBodyKind
    {
        /// <summary>No body.</summary>
        None,
        /// <summary>A JSON object with Content-Type: application/json (what the contract asks for).</summary>
        JsonObject,
        /// <summary>A JSON array (e.g. "[]", which RunCloud's own PHP SDK sends on calls without data) or another JSON value that is not an object.</summary>
        JsonOther,
        /// <summary>A body sent as JSON that does not parse.</summary>
        MalformedJson,
        /// <summary>application/x-www-form-urlencoded (as the old v2 WordPress integration sent).</summary>
        Form,
        /// <summary>A body with any other (or no) Content-Type: Laravel does not read it.</summary>
        Ignored,
    }

    /// <summary>
    /// The request input as RunCloud (a Laravel application) sees it: Request::all() after the default global middleware.
    /// - JSON when the Content-Type contains "/json" or "+json" (Request::isJson); the decoded value is cast to an array as
    ///   Laravel does ((array) json_decode(...)): an object gives its fields, "[]" or null gives nothing, a list or a scalar
    ///   gives index keys "0", "1"... A body that does not parse is refused with a 422 (a deliberate deviation: Laravel
    ///   would silently see no input, which hides the client's bug).
    /// - application/x-www-form-urlencoded: parsed as PHP's parse_str does (last value wins, "k[]" appends, "k[x]" sets a field).
    ///   Every value is then a string, as in PHP: booleans arrive as "0"/"1", numbers as digits.
    /// - Anything else: no body input.
    /// The query string is merged under the body (input() = body + query, the body wins), then TrimStrings and
    /// ConvertEmptyStringsToNull apply to every string (Laravel's default global middleware).
    /// </summary>
    public static class LaravelInput
    {
        public static bool IsJson(string? contentType) =>
            contentType != null && (contentType.IndexOf("/json", StringComparison.OrdinalIgnoreCase) >= 0 || contentType.IndexOf("+json", StringComparison.OrdinalIgnoreCase) >= 0);

        public static bool IsForm(string? contentType) =>
            contentType != null && contentType.TrimStart().StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

        /// <summary>The kind of body a request carries.</summary>
        public static RequestBodyKind Classify(string? contentType, string? body)
        {
            if (string.IsNullOrEmpty(body)) return RequestBodyKind.None;
            if (IsJson(contentType))
            {
                try { return JToken.Parse(body!) is JObject ? RequestBodyKind.JsonObject : RequestBodyKind.JsonOther; }
                catch (JsonException) { return RequestBodyKind.MalformedJson; }
            }
            return IsForm(contentType) ? RequestBodyKind.Form : RequestBodyKind.Ignored;
        }

        /// <summary>Builds the input; returns false (with a message) only for a JSON body that does not parse.</summary>
        public static bool TryParse(string? contentType, string? body, IDictionary<string, string>? query, out JObject input, out string? error) =>
            TryParse(contentType, body, query, "POST", out input, out error);

        /// <summary>
        /// Builds the input for a request of this method. As Laravel's Request::getInputSource(): a JSON body is input on
        /// every method (a GET's too: RunCloud's PHP SDK pages with {"page":2,"perPage":40} in a GET's body); a form body is
        /// input only on methods other than GET and HEAD (PHP fills $_POST for those; Symfony reads the query for GET/HEAD).
        /// </summary>
        public static bool TryParse(string? contentType, string? body, IDictionary<string, string>? query, string method, out JObject input, out string? error)
        {
            input = new JObject();
            error = null;
            var text = body ?? "";
            if (IsJson(contentType))
            {
                if (text.Trim().Length > 0)
                {
                    JToken parsed;
                    try { parsed = JToken.Parse(text); }
                    catch (JsonException) { error = "The request body is not valid JSON."; return false; }
                    input = ToArrayInput(parsed);
                }
            }
            else if (IsForm(contentType) && !string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase) && !string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase))
            {
                input = ParseForm(text);
            }
            if (query != null)
                foreach (var kv in query)
                    if (input[kv.Key] == null) input[kv.Key] = kv.Value;
            input = (JObject)Normalise(input)!;
            return true;
        }

        /// <summary>PHP's (array) cast of a decoded JSON value.</summary>
        private static JObject ToArrayInput(JToken parsed)
        {
            switch (parsed)
            {
                case JObject o: return o;
                case JArray a:
                    var fromList = new JObject();
                    for (int i = 0; i < a.Count; i++) fromList[i.ToString(CultureInfo.InvariantCulture)] = a[i];
                    return fromList;
                default:
                    return parsed.Type == JTokenType.Null ? new JObject() : new JObject { ["0"] = parsed };
            }
        }

        private static readonly Regex BracketKey = new Regex(@"^([^\[\]]+)\[([^\[\]]*)\]$", RegexOptions.CultureInvariant);

        /// <summary>
        /// application/x-www-form-urlencoded as PHP's parse_str reads it: "+" and %XX decoded, the last value of a key wins,
        /// "k[]=v" appends to a list and "k[x]=v" sets a field of k (one level; deeper keys are kept as they are).
        /// </summary>
        public static JObject ParseForm(string text)
        {
            var result = new JObject();
            foreach (var part in text.Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = part.IndexOf('=');
                var key = Decode(eq < 0 ? part : part.Substring(0, eq));
                var value = Decode(eq < 0 ? "" : part.Substring(eq + 1));
                if (key.Length == 0) continue;
                var m = BracketKey.Match(key);
                if (!m.Success)
                {
                    result[key] = value;
                    continue;
                }
                var name = m.Groups[1].Value;
                var sub = m.Groups[2].Value;
                if (sub.Length == 0)
                {
                    if (!(result[name] is JArray list)) result[name] = list = new JArray();
                    list.Add(value);
                }
                else
                {
                    if (!(result[name] is JObject obj)) result[name] = obj = new JObject();
                    obj[sub] = value;
                }
            }
            return result;
        }

        private static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));

        /// <summary>TrimStrings, then ConvertEmptyStringsToNull, on every string of the input.</summary>
        private static JToken? Normalise(JToken? t)
        {
            switch (t)
            {
                case JObject o:
                    foreach (var p in o.Properties().ToList()) p.Value = Normalise(p.Value) ?? JValue.CreateNull();
                    return o;
                case JArray a:
                    for (int i = 0; i < a.Count; i++) a[i] = Normalise(a[i]) ?? JValue.CreateNull();
                    return a;
                case JValue v when v.Type == JTokenType.String:
                    var s = ((string?)v ?? "").Trim();
                    return s.Length == 0 ? JValue.CreateNull() : new JValue(s);
                default:
                    return t;
            }
        }

        /// <summary>
        /// Laravel's "integer" rule (filter_var FILTER_VALIDATE_INT): a JSON integer, or a string of decimal digits with an
        /// optional sign and no leading zero ("12", "-3", "0"). Not a float, a boolean or any other string.
        /// </summary>
        public static bool TryInteger(JToken? t, out long value)
        {
            value = 0;
            if (t == null) return false;
            if (t.Type == JTokenType.Integer) { value = (long)t; return true; }
            if (t.Type != JTokenType.String) return false;
            var s = (string?)t ?? "";
            return Regex.IsMatch(s, @"^[+-]?(0|[1-9][0-9]*)$", RegexOptions.CultureInvariant)
                && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }
    }
}
