using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Api;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// JSON to and from what a PowerShell user writes and reads (Invoke-RunCloudRequest): an answer becomes PSObjects
    /// (objects with note properties, arrays, strings, numbers, booleans, $null), the way ConvertFrom-Json gives them; a
    /// body may be a hashtable, a PSCustomObject, an array of those, or a JSON string (sent as it is, once checked).
    /// </summary>
    internal static class JsonObjects
    {
        /// <summary>Invoke-RunCloudRequest's answer as PowerShell objects (the cmdlets never name a JSON type).</summary>
        public static async Task<object?> InvokeAsync(RunCloudService service, string method, string path, IDictionary<string, string>? query, string? body,
            Func<string, string> mask, CancellationToken ct) =>
            ToPowerShell(await service.InvokeAsync(method, path, query, body, ct).ConfigureAwait(false), mask);

        /// <summary>The next page of a raw listing as PowerShell objects; null after the last page.</summary>
        public static async Task<IReadOnlyList<object?>?> NextPageAsync(PageIterator pages, Func<string, string> mask, CancellationToken ct)
        {
            IReadOnlyList<JObject>? items = await pages.NextAsync(ct).ConfigureAwait(false);
            return items?.Select(item => ToPowerShell(item, mask)).ToList();
        }

        /// <param name="mask">Applied to every string value (the connection's secrets masked).</param>
        public static object? ToPowerShell(JToken? token, Func<string, string> mask)
        {
            switch (token)
            {
                case null:
                    return null;
                case JObject o:
                    var result = new PSObject();
                    foreach (JProperty p in o.Properties()) result.Properties.Add(new PSNoteProperty(p.Name, ToPowerShell(p.Value, mask)));
                    return result;
                case JArray a:
                    return a.Select(item => ToPowerShell(item, mask)).ToArray();
                case JValue v:
                    return v.Type switch
                    {
                        JTokenType.String => mask((string)v!),
                        JTokenType.Null or JTokenType.Undefined => null,
                        JTokenType.Date => v.Value,
                        _ => v.Value,
                    };
                default:
                    return mask(token.ToString(Formatting.None));
            }
        }

        /// <summary>A request body as JSON text; a problem is an ArgumentException saying what is accepted.</summary>
        public static string Body(object body)
        {
            object value = body is PSObject pso && !(pso.BaseObject is PSCustomObject) ? pso.BaseObject : body;
            if (value is string text)
            {
                try
                {
                    return JToken.Parse(text).ToString(Formatting.None);
                }
                catch (JsonException ex)
                {
                    throw new ArgumentException($"-Body is a string that is not JSON ({ex.Message}). Pass JSON text, or a hashtable such as @{{ name = 'shop.example.com' }}.");
                }
            }

            return ToToken(value, 0).ToString(Formatting.None);
        }

        private static JToken ToToken(object? value, int depth)
        {
            if (depth > 64) throw new ArgumentException("-Body nests deeper than 64 levels.");
            if (value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject)) value = wrapped.BaseObject;
            switch (value)
            {
                case null:
                    return JValue.CreateNull();
                case string s:
                    return new JValue(s);
                case bool b:
                    return new JValue(b);
                case char c:
                    return new JValue(c.ToString());
                case DateTime d:
                    return new JValue(d.ToString("o", CultureInfo.InvariantCulture));
                case DateTimeOffset dto:
                    return new JValue(dto.ToString("o", CultureInfo.InvariantCulture));
                case Enum e:
                    return new JValue(e.ToString());
                case byte or sbyte or short or ushort or int or uint or long or ulong:
                    return new JValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                case float or double or decimal:
                    return new JValue(Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                case System.Security.SecureString _:
                    throw new ArgumentException("-Body holds a SecureString: convert it yourself if RunCloud must receive its text (it would be sent in clear).");
                case IDictionary dictionary:
                    var o = new JObject();
                    foreach (DictionaryEntry entry in dictionary) o[entry.Key?.ToString() ?? string.Empty] = ToToken(entry.Value, depth + 1);
                    return o;
                case PSObject custom:
                    var p = new JObject();
                    foreach (PSPropertyInfo property in custom.Properties) p[property.Name] = ToToken(property.Value, depth + 1);
                    return p;
                case IEnumerable list:
                    var a = new JArray();
                    foreach (object? item in list) a.Add(ToToken(item, depth + 1));
                    return a;
                default:
                    throw new ArgumentException($"-Body holds a {value.GetType().Name}, which is not sent as JSON. Use hashtables, arrays, strings, numbers and booleans, or a JSON string.");
            }
        }
    }
}
