extern "C" int printf(const char *, ...);

template <typename T> struct Box {
	T value;
	T get() const { return value; }
	T twice() const { return value * 2; }
};

inline int next_counter()
{
	static int counter = 0;
	return ++counter;
}

template <typename T> T table_value = T(7);

using Getter = int (Box<int>::*)() const;
Getter getter_from_a();
Getter getter_from_b();
const int *table_address_a();
const int *table_address_b();
